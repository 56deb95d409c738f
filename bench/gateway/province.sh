# bench/run.sh's hub-hop scenario (sourced): the provincial hub (instance
# VN-BP, its own database) and the hub under test register each other; the
# national side registers the province's load-generator system with the same
# agreement as its own. Uses run.sh's variables and helpers (work, LT_PKI,
# lienthong, render, hub_database, hub_port, province_port).

province_database=lienthong_bench_province

# peer_row INSTANCE URL CLIENT-CERT KEY PUBLISHED: a peers row, as SQL values.
peer_row() {
  echo "('$1', 'bench peer', '$2', '$(cat "$LT_PKI/ca.crt")', \
    '$("$LT_ROOT/scripts/pki.sh" --fingerprint "$LT_PKI/$3.crt")', \
    '$(openssl pkey -in "$work/$4.key" -pubout)', $5, 'bench')"
}

# Starts the provincial hub (its pid in province_pid) once both registries
# know each other, and waits until it holds the national catalogue.
start_province() {
  pg_drop_database "$province_database" >/dev/null
  pg_create_database "$province_database"
  LIENTHONG_DATABASE_URL="$(pg_url "$province_database")" "$lienthong" migrate >/dev/null
  LIENTHONG_DATABASE_URL="$(pg_url "$province_database")" \
    "$lienthong" registry apply "$bench_dir/gateway/province-registry.json" >/dev/null
  # The hub under test made its key when it started; the province's is made here.
  [ -f "$work/province-catalogue.key" ] ||
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$work/province-catalogue.key" 2>/dev/null)
  lt_psql -d "$province_database" -c "INSERT INTO peers (instance, name, exchange_url, tls_ca_pem,
    client_fingerprint, catalogue_key_pem, published_services, created_by) VALUES
    $(peer_row VN "https://localhost:$hub_port" BENCH-HUB-VN national-catalogue "'{}'")" >/dev/null
  lt_psql -d "$hub_database" -c "
    INSERT INTO peers (instance, name, exchange_url, tls_ca_pem, client_fingerprint,
      catalogue_key_pem, published_services, created_by) VALUES
    $(peer_row VN-BP "https://localhost:$province_port" BENCH-HUB-VN-BP province-catalogue \
      "ARRAY['VN/GOV/000.00.00.B01/BENCH-PROVIDER/citizen-verify']");
    INSERT INTO members (instance, member_class, member_code, name)
      VALUES ('VN-BP', 'PROV', '000.00.00.B02', 'bench province');
    INSERT INTO systems (member_id, system_code, name)
      SELECT id, 'BENCH-CONSUMER', 'bench consumer' FROM members WHERE instance = 'VN-BP';
    INSERT INTO agreements (consumer_system_id, provider_system_id, service_code, versions, purpose,
      legal_basis, response_fields, status, requested_by, status_changed_by)
    SELECT s.id, a.provider_system_id, a.service_code, a.versions, a.purpose, a.legal_basis,
      a.response_fields, 'approved', 'bench', 'bench'
    FROM agreements a, systems s JOIN members m ON m.id = s.member_id
    WHERE m.instance = 'VN-BP' AND a.service_code = 'citizen-verify'" >/dev/null
  render "$bench_dir/gateway/province.toml" "$work/province.toml"
  (cd "$LT_ROOT" && LIENTHONG_DATABASE_URL="$(pg_url "$province_database")" \
    exec "$lienthong" serve --config "$work/province.toml") &
  province_pid=$!
  pids+=("$province_pid")
  lt_wait_port 127.0.0.1 "$province_port" 30 || lt_die "the provincial hub does not listen"
  for _ in $(seq 1 100); do
    [ "$(lt_psql -d "$province_database" -tAc "SELECT count(*) FROM peer_catalogues WHERE token IS NOT NULL")" = 1 ] && break
    sleep 0.2
  done
}
