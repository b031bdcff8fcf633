#!/bin/sh
# Broken on purpose (analyser-check must fail it): never answers.
cat > /dev/null
echo "thinking" >&2
exec sleep 3600
