#!/usr/bin/env bash
# Makes a throw-away certificate authority and certificates for TLS tests and local
# deployments, in DIR (created; existing files are kept):
#
#   ca.pem, ca.key            the CA that signs the rest
#   server.pem, server.key    the broker: names DNS:localhost plus the names in SERVER_NAMES
#                             (space-separated, e.g. "broker rabbitmq"), not 127.0.0.1
#   client.pem, client.key    a client certificate for mutual TLS (CN=tributary)
#   other-ca.pem              an unrelated CA: what a wrong --tls-ca-file looks like
#   expired.pem, expired.key  a certificate for localhost, signed by the CA, that expired in 2020
#
#   Deploy/local/make-certificates.sh DIR
set -euo pipefail
dir="${1:?usage: make-certificates.sh DIR}"
mkdir -p "$dir"
cd "$dir"
[ -f ca.pem ] && [ -f expired.pem ] && exit 0

quiet() { "$@" >/dev/null 2>&1 || { echo "make-certificates: failed: $*" >&2; "$@"; exit 1; }; }
names="DNS:localhost"
for name in ${SERVER_NAMES:-}; do names="$names,DNS:$name"; done

quiet openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Tributary test CA" -keyout ca.key -out ca.pem
quiet openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Unrelated CA" -keyout other-ca.key -out other-ca.pem

sign() {  # name subject extensions [extra openssl ca args...]
    local name="$1" subject="$2" extensions="$3"
    shift 3
    quiet openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$name.key" -out "$name.csr"
    printf '%s\n' "$extensions" >"$name.ext"
    quiet openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -extfile "$name.ext" -out "$name.pem" "$@"
    rm -f "$name.csr" "$name.ext"
}
sign server "/CN=localhost" "subjectAltName=$names
extendedKeyUsage=serverAuth"
sign client "/CN=tributary" "extendedKeyUsage=clientAuth"

# An expired certificate needs dates in the past, which only `openssl ca` sets.
mkdir -p expired-ca
: >expired-ca/index.txt
cat >expired-ca/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = $PWD/expired-ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
echo 01 >expired-ca/serial
quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" -keyout expired.key -out expired.csr
quiet openssl ca -batch -config expired-ca/ca.cnf -startdate 20200101000000Z -enddate 20200201000000Z -in expired.csr -out expired.pem -notext
rm -rf expired.csr expired-ca other-ca.key ca.srl
chmod 644 ./*.pem ./*.key
echo "make-certificates: test CA and certificates in $dir"
