"""The composition root: reads configuration, picks an adapter for every port, and starts processes."""
