#!/bin/sh
# Register vouchflow's custom search attributes on the production cluster (idempotent).
set -u
for attr in VouchflowStatus=Keyword VouchflowSupplier=Keyword VouchflowTotalMinor=Int \
            VouchflowCurrency=Keyword VouchflowConfidence=Int VouchflowRoute=Keyword \
            PromptVersion=Keyword VouchflowDeadLetter=Keyword; do
  name=${attr%=*}; type=${attr#*=}
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" \
    --name "$name" --type "$type" || echo "$name: already registered"
done
