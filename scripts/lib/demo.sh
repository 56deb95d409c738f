# The demo setup shared by run.sh and test.sh: database, migrations, PKI and
# the demo registry. Source after common.sh and pg.sh.

LT_DEMO_SYSTEMS=(DANCU DKKD MOTCUA-HN MOTCUA-HCM)
# Fixed: config/demo/registry.json names these base URLs.
LT_DEMO_POPULATION_PORT=9101
LT_DEMO_BUSINESS_PORT=9102
LT_DEMO_LAND_PORT=9103

demo_prepare() {
  pg_ensure_running
  pg_create_database lienthong
  "$LT_ROOT/scripts/pki.sh" "${LT_DEMO_SYSTEMS[@]}"
  export LIENTHONG_DATABASE_URL
  LIENTHONG_DATABASE_URL="$(pg_url lienthong)"
  lt_say "migrating"
  "$LT_ROOT/build/src/lienthong" migrate
  lt_say "applying the demo registry (config/demo/registry.json)"
  "$LT_ROOT/build/src/lienthong" registry apply "$LT_ROOT/config/demo/registry.json"
}
