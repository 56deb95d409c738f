# bench/run.sh's hub-evidence scenario (sourced, with --evidence): the same
# hub binary and settings as "hub", on a database of its own, with trusted
# timestamps on (the demo RFC 3161 authority on loopback, a token round
# every 5 s instead of the default 60 s: stricter) and kept bodies sealed at
# rest (a key file of its own). Against "hub" in the same rounds, which keeps
# the same bodies in the clear and takes no tokens, it is the cost of the
# evidence the audit log keeps (issue 24). Uses run.sh's variables and
# helpers (work, lienthong, bench_dir, registry, pids).

evidence_database=lienthong_bench_evidence
evidence_port=9493
evidence_tsa_port=9483

# Starts the authority and the hub (its pid in evidence_pid).
start_evidence_hub() {
  pg_drop_database "$evidence_database" >/dev/null
  pg_create_database "$evidence_database"
  LIENTHONG_DATABASE_URL="$(pg_url "$evidence_database")" "$lienthong" migrate >/dev/null
  LIENTHONG_DATABASE_URL="$(pg_url "$evidence_database")" \
    "$lienthong" registry apply "$registry" >/dev/null
  LT_PKI="$work/tsa" LT_PKI_ORG="Lienthong Bench TSA" "$LT_ROOT/scripts/pki.sh" --tsa >/dev/null
  "$LT_ROOT/build/src/lienthong-demo" tsa --log-level warn --listen "127.0.0.1:$evidence_tsa_port" \
    --certificate "$work/tsa/tsa.crt" --key "$work/tsa/tsa.key" &
  pids+=($!)
  lt_wait_port 127.0.0.1 "$evidence_tsa_port" 30 || lt_die "the bench time-stamping authority did not start"
  sed -e "s/9443/$evidence_port/; s/9444/$((evidence_port + 1))/; s/bench-1/bench-evidence/" \
    -e "s#audit-signing.key#audit-signing-evidence.key#" "$work/hub.toml" >"$work/evidence.toml"
  (cd "$LT_ROOT" && LIENTHONG_DATABASE_URL="$(pg_url "$evidence_database")" \
    LIENTHONG_AUDIT_TIMESTAMP_URL="http://127.0.0.1:$evidence_tsa_port/" \
    LIENTHONG_AUDIT_TIMESTAMP_CA="$work/tsa/ca.crt" LIENTHONG_AUDIT_TIMESTAMP_SECONDS=5 \
    LIENTHONG_AUDIT_BODY_KEY="$work/evidence-bodies.key" \
    exec "$lienthong" serve --config "$work/evidence.toml") &
  evidence_pid=$!
  pids+=("$evidence_pid")
  lt_wait_port 127.0.0.1 "$evidence_port" 30 || lt_die "the hub with evidence on does not listen"
}

# The tokens the evidence hub obtained, and the checkpoints its tree roots
# signed: printed after the load, so the table is known to have measured
# what it says.
evidence_kept() {
  lt_psql -d "$evidence_database" -tAc \
    "SELECT (SELECT count(*) FROM audit_timestamps) || ' trusted timestamps, ' ||
       (SELECT count(*) FROM audit_checkpoints WHERE records_root IS NOT NULL) ||
       ' checkpoints signing their records'' tree, ' ||
       (SELECT count(*) FROM audit_records WHERE bodies_key IS NOT NULL) ||
       ' records with sealed bodies'"
  lt_psql -d "$hub_database" -tAc \
    "SELECT 'hub (off) kept ' || count(*) || ' records with bodies in the clear' FROM audit_records
       WHERE request_body IS NOT NULL AND bodies_key IS NULL"
}
