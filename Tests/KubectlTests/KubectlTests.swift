// Real kubectl and the official Python client against a live skiff server.
