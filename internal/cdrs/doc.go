// Package cdrs takes in the call detail records of finished calls, from the
// telephony platform's bulk route and from imported switch files alike: it checks
// each record, stores it once by its source and call ID, rates it by the account's
// price for its call type per started minute, adds it to the daily session
// statistics and charges the balance through the ledger, all in one transaction per
// batch.
//
// A batch is charged with one ledger entry per account and app, keyed by the first
// record ID that the batch stored for that app. Record IDs are never reused, so the
// key is unique; a batch sent again stores nothing (its call IDs are already there)
// and therefore charges nothing.
package cdrs
