"""Job-queue adapters for the retraining job."""
