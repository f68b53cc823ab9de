-- name: GetMailingAddress :one
SELECT * FROM mailing_addresses WHERE account_sid = @account_sid;

-- name: UpsertMailingAddress :one
INSERT INTO mailing_addresses (account_sid, recipient, mobile, province, city, district,
    street, postcode)
VALUES (@account_sid, @recipient, @mobile, @province, @city, @district, @street, @postcode)
ON CONFLICT (account_sid) DO UPDATE
SET recipient = excluded.recipient, mobile = excluded.mobile,
    province = excluded.province, city = excluded.city, district = excluded.district,
    street = excluded.street, postcode = excluded.postcode, updated_at = now()
RETURNING *;
