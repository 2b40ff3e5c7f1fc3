#!/usr/bin/env bash
# Starts mongod 8.0 as a single-node replica set on 127.0.0.1:27017 (docker) and waits until it is primary.
set -euo pipefail
docker run -d --name mongo -p 27017:27017 mongo:8.0 --replSet rs0 --bind_ip_all
for i in $(seq 1 60); do
  docker exec mongo mongosh --quiet --eval "db.adminCommand('ping').ok" >/dev/null 2>&1 && break
  sleep 1
done
docker exec mongo mongosh --quiet --eval "rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: '127.0.0.1:27017' }] })"
for i in $(seq 1 60); do
  [ "$(docker exec mongo mongosh --quiet --eval 'rs.status().myState')" = "1" ] && exit 0
  sleep 1
done
echo "mongod did not become primary" >&2
exit 1
