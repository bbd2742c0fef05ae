#!/bin/sh
# Serves /www on $PORT (default 8080) in the foreground, logging requests to stderr.
# GET /                -> index.html
# GET /cgi-bin/hostname -> the container's hostname (the pod name in a cluster)
set -e
echo "hello: serving /www on port ${PORT:-8080} as $(hostname)" >&2
exec httpd -f -v -p "${PORT:-8080}" -h /www
