-- Demo registry for ./scripts/run.sh: two national registries as providers,
-- two provinces' one-stop-shop systems as consumers. Member codes follow the
-- national agency-code format; the codes and names here are illustrative.
-- Idempotent: safe to load again. Expects psql variables with the SHA-256 of
-- each demo system's client certificate: fp_dancu, fp_dkkd, fp_hn, fp_hcm,
-- and the demo providers' base URLs: population_url, business_url.

INSERT INTO members (instance, member_class, member_code, name) VALUES
  ('VN', 'GOV',  '000.00.00.G03', 'Bộ Công an (Ministry of Public Security)'),
  ('VN', 'GOV',  '000.00.00.G09', 'Bộ Kế hoạch và Đầu tư (Ministry of Planning and Investment)'),
  ('VN', 'PROV', '000.00.00.H26', 'UBND Thành phố Hà Nội (Hà Nội People''s Committee)'),
  ('VN', 'PROV', '000.00.00.H29', 'UBND TP. Hồ Chí Minh (Hồ Chí Minh City People''s Committee)')
ON CONFLICT (instance, member_class, member_code) DO UPDATE SET name = EXCLUDED.name;

INSERT INTO systems (member_id, system_code, name, base_url)
SELECT m.id, v.system_code, v.name, v.base_url
FROM (VALUES
  ('000.00.00.G03', 'DANCU', 'Cơ sở dữ liệu quốc gia về dân cư (national population registry)', :'population_url'),
  ('000.00.00.G09', 'DKKD', 'Hệ thống đăng ký doanh nghiệp (national business registry)', :'business_url'),
  ('000.00.00.H26', 'MOTCUA-HN', 'Hệ thống một cửa điện tử Hà Nội (one-stop shop)', NULL),
  ('000.00.00.H29', 'MOTCUA-HCM', 'Hệ thống một cửa điện tử TP.HCM (one-stop shop)', NULL)
) AS v (member_code, system_code, name, base_url)
JOIN members m ON m.instance = 'VN' AND m.member_code = v.member_code
ON CONFLICT (member_id, system_code) DO UPDATE SET name = EXCLUDED.name, base_url = EXCLUDED.base_url;

INSERT INTO credentials (system_id, kind, fingerprint)
SELECT s.id, 'certificate', v.fingerprint
FROM (VALUES
  ('DANCU', :'fp_dancu'),
  ('DKKD', :'fp_dkkd'),
  ('MOTCUA-HN', :'fp_hn'),
  ('MOTCUA-HCM', :'fp_hcm')
) AS v (system_code, fingerprint)
JOIN systems s ON s.system_code = v.system_code
ON CONFLICT (kind, fingerprint) DO NOTHING;

INSERT INTO services (system_id, service_code, version, name, provider_path, timeout_ms)
SELECT s.id, v.service_code, 'v1', v.name, v.path, 10000
FROM (VALUES
  ('DANCU', 'citizen-lookup', 'Tra cứu thông tin công dân (citizen lookup by ID number)', '/citizens/lookup'),
  ('DKKD', 'enterprise-lookup', 'Tra cứu thông tin doanh nghiệp (enterprise lookup by tax code)', '/enterprises/lookup')
) AS v (system_code, service_code, name, path)
JOIN systems s ON s.system_code = v.system_code
ON CONFLICT (system_id, service_code, version) DO UPDATE
  SET name = EXCLUDED.name, provider_path = EXCLUDED.provider_path;
