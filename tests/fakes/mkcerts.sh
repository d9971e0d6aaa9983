#!/bin/sh
# mkcerts.sh DIR -- throwaway test PKI for the HTTPS fakes (openssl only).
#
# Writes into DIR:
#   ca.pem / ca.key                 a throwaway CA ("textus-host test CA")
#   server.pem / server.key         server cert signed by the CA, SAN = IP:127.0.0.1, DNS:localhost
#   wronghost.pem / wronghost.key   signed by the same CA but SAN = DNS:wrong.example only
#                                   (proves hostname verification: trusted CA, wrong name -> refused)
#   selfsigned.pem / selfsigned.key self-signed cert for 127.0.0.1/localhost that no CA vouches for
#
# A client that trusts only the system store must refuse server.pem (unknown CA);
# the same client given --cacert DIR/ca.pem must accept it.
# Keys are unencrypted test keys: never reuse them anywhere.
set -eu
DIR=${1:?usage: mkcerts.sh DIR}
mkdir -p "$DIR"
cd "$DIR"
umask 077
DAYS=30

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
  -subj "/CN=textus-host test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout ca.key -out ca.pem 2>/dev/null

mkleaf() { # name san
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$1" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
mkleaf server "IP:127.0.0.1,DNS:localhost"
mkleaf wronghost "DNS:wrong.example"

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$DAYS" \
  -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout selfsigned.key -out selfsigned.pem 2>/dev/null
rm -f ca.srl
chmod 644 ./*.pem
echo "$DIR"
