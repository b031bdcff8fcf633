#!/bin/sh
# Broken on purpose (analyser-check must fail it): logs on stdout, then exits 0.
cat > /dev/null
echo "scoring 3 documents..."
echo '{"batch_index": 0, "documents": []}'
