"""One class per use case, each with an `execute` method; ports come in through the constructor."""
