// Package cdrcsv reads the call detail records that telephony switches write
// to CSV files, so that recorded calls can be imported from the command line:
// Asterisk's cdr_csv (Master.csv) and FreeSWITCH's mod_cdr_csv with its
// default ("example") template.
//
// A Reader streams one Record per leg. A line that cannot be read is returned
// as a *LineError with its line number, and reading goes on with the next
// line: a bad line never hides the good lines around it.
//
// # Asterisk
//
// cdr_csv writes these columns, in this order:
//
//	accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
//	lastdata, start, answer, end, duration, billsec, disposition, amaflags,
//	uniqueid, userfield                          (18 columns)
//	..., peeraccount, linkedid, sequence         (21 with newcdrcolumns=yes)
//
// uniqueid is there with loguniqueid=yes and userfield with loguserfield=yes,
// as in the cdr.conf that Asterisk ships; other layouts are refused line by
// line, since 17 or 20 columns could mean either option.
//
// One Asterisk call writes several rows, and rows share a uniqueid: a Dial to
// two phones writes one row per dialled channel, all with the caller's
// uniqueid. What tells them apart is the sequence column, a counter that the
// switch gives every CDR it makes. It starts again from 0 when Asterisk
// restarts, but the uniqueid then carries a new start time, so uniqueid and
// sequence together name one leg. Without the new columns a leg is named by
// its uniqueid and a hash of the columns that differ between its rows
// (channels, application, times, disposition); two rows equal in all of
// those are the same leg written twice. Either way the LegID depends only on
// the row, so importing the same file again gives the same LegIDs.
//
// # FreeSWITCH
//
// The default template of mod_cdr_csv writes 15 columns:
//
//	caller_id_name, caller_id_number, destination_number, context,
//	start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause,
//	uuid, bleg_uuid, accountcode, read_codec, write_codec
//
// Each row is one leg and its uuid is unique. FreeSWITCH writes no
// disposition; it is derived from the answer time and the hangup cause.
//
// # Both
//
// Times are written without a zone, in the switch's local time; the Reader
// reads them in the location it is given, Asia/Shanghai by default. Bytes
// that are not UTF-8 (caller names typed in GBK, say) are replaced by U+FFFD.
package cdrcsv
