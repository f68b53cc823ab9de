package cdrcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// masterCSV is a copy of a real Asterisk Master.csv (see the shared data's
// README): 21 columns, numbers and host names replaced.
const masterCSV = "testdata/cdr-asterisk-master.csv"

func readMaster(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(masterCSV)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll drains a Reader, keeping records and line errors apart.
func readAll(t *testing.T, r *Reader) ([]Record, []*LineError) {
	t.Helper()
	var recs []Record
	var bad []*LineError
	for {
		rec, err := r.Next()
		var le *LineError
		switch {
		case errors.Is(err, io.EOF):
			return recs, bad
		case errors.As(err, &le):
			bad = append(bad, le)
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			recs = append(recs, rec)
		}
	}
}

// stdlibRows parses the file with encoding/csv, as an independent account of
// what it holds.
func stdlibRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// fileLines splits a file into its lines, without line endings.
func fileLines(b []byte) []string {
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestAsteriskMasterFile(t *testing.T) {
	data := readMaster(t)
	rows := stdlibRows(t, data)
	lines := fileLines(data)
	if len(rows) != len(lines) {
		t.Fatalf("%d rows on %d lines: the file was expected to hold one row a line",
			len(rows), len(lines))
	}

	recs, bad := readAll(t, NewAsteriskReader(bytes.NewReader(data), time.UTC))
	if len(bad) != 0 {
		t.Errorf("line errors in the real file: %v", bad)
	}
	if len(recs) != len(rows) {
		t.Fatalf("%d records, want %d", len(recs), len(rows))
	}

	// What the file holds, counted from encoding/csv's rows.
	wantDisp := map[string]int{}
	wantUnanswered := 0
	uniqueIDs := map[string]bool{}
	linkedIDs := map[string]bool{}
	for _, row := range rows {
		if len(row) != 21 {
			t.Fatalf("row with %d columns", len(row))
		}
		wantDisp[row[14]]++
		if row[10] == "" {
			wantUnanswered++
		}
		uniqueIDs[row[16]] = true
		linkedIDs[row[19]] = true
	}

	gotDisp := map[string]int{}
	unanswered := 0
	legIDs := map[string]bool{}
	callIDs := map[string]bool{}
	for i, rec := range recs {
		row := rows[i]
		gotDisp[rec.Disposition]++
		if rec.Answer == nil {
			unanswered++
		}
		legIDs[rec.LegID] = true
		callIDs[rec.CallID] = true
		duration, _ := strconv.Atoi(row[12])
		if rec.Line != i+1 || rec.Src != row[1] || rec.Dst != row[2] || rec.Context != row[3] ||
			rec.Channel != row[5] || rec.DstChannel != row[6] || rec.Duration != duration {
			t.Errorf("record %d = %+v does not match row %q", i, rec, row)
		}
		if !strings.HasPrefix(rec.LegID, "asterisk:"+row[16]+":") {
			t.Errorf("LegID %q does not name uniqueid %q", rec.LegID, row[16])
		}
	}
	if !mapsEqual(gotDisp, wantDisp) {
		t.Errorf("dispositions %v, want %v", gotDisp, wantDisp)
	}
	if unanswered != wantUnanswered {
		t.Errorf("%d without answer time, want %d", unanswered, wantUnanswered)
	}
	if len(uniqueIDs) >= len(rows) {
		t.Errorf("expected legs sharing a uniqueid: %d ids for %d rows", len(uniqueIDs), len(rows))
	}
	if len(legIDs) != len(recs) {
		t.Errorf("%d distinct LegIDs for %d records", len(legIDs), len(recs))
	}
	if len(callIDs) != len(linkedIDs) {
		t.Errorf("%d distinct CallIDs, want %d linkedids", len(callIDs), len(linkedIDs))
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestAsteriskLegIDsAreStable(t *testing.T) {
	data := readMaster(t)
	first, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), nil))
	again, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), nil))
	if len(first) == 0 || !slices.EqualFunc(first, again, func(a, b Record) bool {
		return a.LegID == b.LegID
	}) {
		t.Error("LegIDs differ between two reads of the same file")
	}
}

func TestAsteriskInvalidUTF8(t *testing.T) {
	data := readMaster(t)
	badLines := map[int]bool{}
	for i, line := range fileLines(data) {
		if !utf8.ValidString(line) {
			badLines[i+1] = true
		}
	}
	if len(badLines) == 0 {
		t.Fatal("the file was expected to hold bytes that are not UTF-8")
	}

	recs, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), nil))
	replaced := 0
	for _, rec := range recs {
		for _, s := range []string{rec.CallerName, rec.Src, rec.Dst, rec.Channel, rec.LegID} {
			if !utf8.ValidString(s) {
				t.Errorf("line %d: %q is not UTF-8", rec.Line, s)
			}
		}
		if badLines[rec.Line] {
			replaced++
			if !strings.ContainsRune(rec.CallerName, utf8.RuneError) {
				t.Errorf("line %d: caller name %q has no U+FFFD", rec.Line, rec.CallerName)
			}
		}
	}
	if replaced != len(badLines) {
		t.Errorf("%d records from lines with bad bytes, want %d", replaced, len(badLines))
	}
}

func TestAsteriskTimeZone(t *testing.T) {
	// The switch wrote UTC: a uniqueid starts with the Unix time at which its
	// channel was made, and no leg starts before its channel exists.
	data := readMaster(t)
	rows := stdlibRows(t, data)
	utc, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), time.UTC))
	beijingRecs, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), nil))
	exact := 0
	for i, rec := range utc {
		id := rows[i][16]
		id = id[strings.LastIndexByte(id, '-')+1:]
		made, err := strconv.ParseInt(id[:strings.IndexByte(id, '.')], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Start.Unix() < made {
			t.Errorf("line %d starts before its channel was made", rec.Line)
		}
		if rec.Start.Unix() == made {
			exact++
		}
		if d := rec.Start.Sub(beijingRecs[i].Start); d != 8*time.Hour {
			t.Errorf("line %d: UTC and Beijing readings differ by %v", rec.Line, d)
		}
	}
	if exact < len(utc)/2 {
		t.Errorf("only %d of %d legs start when their channel was made", exact, len(utc))
	}
}

func TestAsteriskBrokenLineInTheMiddle(t *testing.T) {
	data := readMaster(t)
	lines := fileLines(data)
	whole, _ := readAll(t, NewAsteriskReader(bytes.NewReader(data), nil))
	const broken = 42 // 1-based
	orig := lines[broken-1]

	cases := map[string]string{
		"bad start time":  strings.Replace(orig, "2024-01-28 04:10:46", "2024-13-28 04:10:46", 1),
		"cut mid field":   orig[:len(orig)/2],
		"missing columns": orig[:strings.Index(orig, `,"DOCUMENTATION"`)],
		"binary garbage":  "\x00\xff\xfe\x01 garbage",
		"end before start": strings.Replace(orig, `"2024-01-28 04:11:23"`,
			`"2024-01-28 04:00:00"`, 1),
		"billsec over duration": strings.Replace(orig, ",36,30,", ",36,37,", 1),
		"unknown disposition":   strings.Replace(orig, `"ANSWERED"`, `"MAYBE"`, 1),
		"stray quote":           `"` + orig,
	}
	for name, replacement := range cases {
		t.Run(name, func(t *testing.T) {
			if replacement == orig {
				t.Fatal("the replacement did not change the line")
			}
			edited := slices.Clone(lines)
			edited[broken-1] = replacement
			in := strings.Join(edited, "\n") + "\n"

			recs, bad := readAll(t, NewAsteriskReader(strings.NewReader(in), nil))
			if len(bad) != 1 || bad[0].Line != broken {
				t.Fatalf("line errors %v, want one on line %d", bad, broken)
			}
			t.Log(bad[0])
			want := slices.Delete(slices.Clone(whole), broken-1, broken)
			if len(recs) != len(want) {
				t.Fatalf("%d records, want %d", len(recs), len(want))
			}
			for i := range want {
				if recs[i].LegID != want[i].LegID || recs[i].Line != want[i].Line {
					t.Errorf("record %d: %s on line %d, want %s on line %d",
						i, recs[i].LegID, recs[i].Line, want[i].LegID, want[i].Line)
				}
			}
		})
	}
}

func TestAsteriskQuotedNewlineKeepsLineNumbers(t *testing.T) {
	// A newline inside a quoted field makes one record span two lines: the
	// records after it, and the line error, are counted in file lines.
	data := readMaster(t)
	lines := fileLines(data)
	const multi, broken = 10, 42
	edited := slices.Clone(lines)
	edited[multi-1] = strings.Replace(edited[multi-1], `"Dial"`, "\"Di\nal\"", 1)
	edited[broken-1] = "not,a,record"
	in := strings.Join(edited, "\n")

	recs, bad := readAll(t, NewAsteriskReader(strings.NewReader(in), nil))
	if len(bad) != 1 || bad[0].Line != broken+1 {
		t.Fatalf("line errors %v, want one on line %d", bad, broken+1)
	}
	if len(recs) != len(lines)-1 {
		t.Fatalf("%d records, want %d", len(recs), len(lines)-1)
	}
	for _, rec := range recs {
		orig := rec.Line
		if rec.Line > multi {
			orig--
		}
		if !strings.Contains(lines[orig-1], rec.DstChannel) || rec.Line == multi+1 {
			t.Errorf("record on line %d does not match source line %d", rec.Line, orig)
		}
	}
}

func TestAsteriskWithoutNewColumns(t *testing.T) {
	// Drop peeraccount, linkedid and sequence: cdr_csv without newcdrcolumns.
	data := readMaster(t)
	var short []string
	for _, line := range fileLines(data) {
		cut := line
		for range 3 {
			cut = cut[:strings.LastIndexByte(cut, ',')]
		}
		short = append(short, cut)
	}
	in := strings.Join(short, "\n") + "\n"

	recs, bad := readAll(t, NewAsteriskReader(strings.NewReader(in), nil))
	again, _ := readAll(t, NewAsteriskReader(strings.NewReader(in), nil))
	if len(bad) != 0 || len(recs) != len(short) {
		t.Fatalf("%d records and errors %v, want %d records", len(recs), bad, len(short))
	}
	ids := map[string]bool{}
	for i, rec := range recs {
		ids[rec.LegID] = true
		if rec.LegID != again[i].LegID {
			t.Errorf("line %d: LegID not stable", rec.Line)
		}
		if strings.Contains(rec.LegID, "SIP/") {
			t.Errorf("LegID %q holds channel names in clear", rec.LegID)
		}
	}
	if len(ids) != len(recs) {
		t.Errorf("%d distinct LegIDs for %d records", len(ids), len(recs))
	}
}
