# The demo setup shared by run.sh and test.sh: database, migrations, PKI and
# the demo registry. Source after common.sh and pg.sh.

LT_DEMO_SYSTEMS=(DANCU DKKD MOTCUA-HN MOTCUA-HCM)
LT_DEMO_POPULATION_PORT="${LT_DEMO_POPULATION_PORT:-9101}"
LT_DEMO_BUSINESS_PORT="${LT_DEMO_BUSINESS_PORT:-9102}"

demo_prepare() {
  pg_ensure_running
  pg_create_database lienthong
  "$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}"
  export LIENTHONG_DATABASE_URL
  LIENTHONG_DATABASE_URL="$(pg_url lienthong)"
  lt_say "migrating"
  "$LT_ROOT/build/src/lienthong" migrate
  lt_say "loading the demo registry (config/demo/registry.sql)"
  lt_psql -d lienthong \
    -v fp_dancu="$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/DANCU.crt")" \
    -v fp_dkkd="$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/DKKD.crt")" \
    -v fp_hn="$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/MOTCUA-HN.crt")" \
    -v fp_hcm="$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/MOTCUA-HCM.crt")" \
    -v population_url="http://127.0.0.1:$LT_DEMO_POPULATION_PORT" \
    -v business_url="http://127.0.0.1:$LT_DEMO_BUSINESS_PORT" \
    -f "$LT_ROOT/config/demo/registry.sql"
}
