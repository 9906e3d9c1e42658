"""Read-model adapters: filtered, paged and counted reads for the admin site and the API. They never write."""
