# A small world for the examples in docs/: sourced (`source docs/examples/setup.sh`) with ZI (the
# server's base URL) and TOKEN (an admin token) set. Meant for a test server: it creates an
# instansi, one OPD with one Puskesmas, a period on the bundled LKE-ZI-2026 whose four windows are
# open this year, and an operator's and an evaluator's token. Codes carry RUN so it can run twice.
RUN=${RUN:-$(date +%s)}
Y=$(date +%Y)
ADM=$TOKEN
post() { curl -s -X POST "$ZI$1" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$2"; }

PEMDA=$(post /v1/units '{"code":"DEMO-'$RUN'","name":"Pemerintah Kabupaten Contoh","kind":"instansi"}' | jq -r .id)
OPD=$(post /v1/units '{"code":"1.02.01","name":"Dinas Kesehatan","kind":"opd","parent_id":"'$PEMDA'"}' | jq -r .id)
PUSKESMAS=$(post /v1/units '{"code":"1.02.01.03","name":"Puskesmas Cibinong","kind":"unit","parent_id":"'$OPD'"}' | jq -r .id)
LKE=$(curl -s "$ZI/v1/instruments?status=published&year=2026" -H "Authorization: Bearer $TOKEN" | jq -r '.items[0].id')
OPEN='{"opens_at":"'$Y'-01-01T00:00:00+07:00","closes_at":"'$((Y + 1))'-01-01T00:00:00+07:00"}'
PERIOD=$(post /v1/periods '{"code":"ZI-DEMO-'$RUN'","name":"Evaluasi ZI (contoh)","year":'$Y',
  "instrument_version_id":"'$LKE'","windows":{"self_assessment":'$OPEN',"tpi_verification":'$OPEN',
  "revision":'$OPEN',"proposal":'$OPEN'}}' | jq -r .id)

# a person with a role on a subtree, and a token acting in that role
token_for() { # name role unit_id
  local who
  who=$(post /v1/principals '{"name":"'"$1"'","kind":"user"}' | jq -r .id)
  post "/v1/principals/$who/grants" '{"role":"'$2'","unit_id":"'$3'"}' >/dev/null
  post "/v1/principals/$who/tokens" '{"name":"'"$1"'","role":"'$2'"}' | jq -r .token
}
OP=$(token_for "Operator Puskesmas $RUN" unit_operator "$PUSKESMAS")
TPI=$(token_for "TPI Inspektorat $RUN" evaluator "$OPD")
echo "PEMDA=$PEMDA OPD=$OPD PUSKESMAS=$PUSKESMAS LKE=$LKE PERIOD=$PERIOD" >&2
