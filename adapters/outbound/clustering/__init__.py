"""Clustering of stored ticket vectors (`TopicClusterer`)."""
