#!/bin/sh
# Verifies a Pipewright webhook (webhook.send@1) with openssl.
# usage: verify-signature.sh "<Pipewright-Signature header>" "<secret>" < raw-body
# Prints "valid" (exit 0) or "invalid" (exit 1). Reject timestamps older than 300 s too.
sig=$1
secret=$2
t=$(printf '%s' "$sig" | sed -n 's/.*t=\([0-9][0-9]*\).*/\1/p')
v1=$(printf '%s' "$sig" | sed -n 's/.*v1=\([0-9a-f][0-9a-f]*\).*/\1/p')
now=$(date +%s)
if [ -z "$t" ] || [ -z "$v1" ] || [ $((now - t)) -gt 300 ] || [ $((t - now)) -gt 300 ]; then echo invalid; exit 1; fi
expected=$({ printf '%s.' "$t"; cat; } | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
if [ "$expected" = "$v1" ]; then echo valid; else echo invalid; exit 1; fi
