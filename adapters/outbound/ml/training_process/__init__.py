"""Training in a child process: the retraining job's heavy calls run there, its orchestration stays in the parent.

Why: the API process (embedded mode) and the worker keep their database transactions, progress and heartbeat
writes at normal priority, while fitting, calibrating and predicting run in a child at the lowest CPU priority
(nice 19, SCHED_IDLE on Linux) that takes only CPU nothing else wants, and whose memory is returned to the system
when it exits. The child never touches the database: with SQLite, a starved child holding the write lock would
stall every API write.

`client.TrainingProcess` is the parent's side (a `ModelTrainer` and a `MislabelDetector`); `server` is the child's
loop; `messages` and `frames` are what they say to each other over the child's stdin and stdout (msgspec JSON,
never pickle). Bootstrap provides the child's entry point, since only it knows the settings.
"""
