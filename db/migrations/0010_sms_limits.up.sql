-- The per-mobile limit of verification codes counts across accounts.
CREATE INDEX test_number_codes_by_mobile ON test_number_codes (mobile, created_at);
