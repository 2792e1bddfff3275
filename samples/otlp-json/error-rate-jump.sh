#!/usr/bin/env bash
# Sends an OTLP/JSON metrics stream to a running `./sre-agent run` with curl: 30 samples of a healthy error ratio
# (1%) for service "checkout", then 15 samples at 30%, 10 s apart, ending now. The agent prints an error-rate
# incident for checkout. The payload is plain OTLP/JSON as the OpenTelemetry specification writes it (gauge data
# point, string-encoded 64-bit nanosecond timestamps).
#   usage: samples/otlp-json/error-rate-jump.sh [http://127.0.0.1:4318]
set -euo pipefail
endpoint="${1:-http://127.0.0.1:4318}"
now=$(date +%s)
for i in $(seq 45 -1 1); do
  t=$(( (now - i * 10) * 1000000000 ))
  if (( i <= 15 )); then ratio=0.30; else ratio=0.01; fi
  curl -sS --fail-with-body -H 'Content-Type: application/json' "$endpoint/v1/metrics" -d '{
    "resourceMetrics": [{
      "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
      "scopeMetrics": [{
        "scope": {"name": "curl"},
        "metrics": [{
          "name": "http.server.request.error_ratio",
          "unit": "1",
          "gauge": {"dataPoints": [{"asDouble": '"$ratio"', "timeUnixNano": "'"$t"'"}]}
        }]
      }]
    }]
  }' > /dev/null
done
echo "sent 45 samples (the last 15 at 30% errors) to $endpoint/v1/metrics"
