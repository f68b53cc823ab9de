package cdrcsv

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// fsExample is our own file in the default mod_cdr_csv template, with
// invented numbers: good legs, an unanswered one, a caller name across two
// lines, and two bad lines (3: ends before it starts; 8: billsec "1O").
const fsExample = "testdata/freeswitch-example.csv"

func TestFreeSwitchExample(t *testing.T) {
	data, err := os.ReadFile(fsExample)
	if err != nil {
		t.Fatal(err)
	}
	rows := stdlibRows(t, data)
	recs, bad := readAll(t, NewFreeSwitchReader(bytes.NewReader(data), nil))

	if len(bad) != 2 || bad[0].Line != 3 || bad[1].Line != 8 {
		t.Fatalf("line errors %v, want lines 3 and 8", bad)
	}
	if len(recs)+len(bad) != len(rows) {
		t.Errorf("%d records and %d errors for %d rows", len(recs), len(bad), len(rows))
	}

	at := func(hms string) time.Time {
		tm, err := time.Parse(time.DateTime+" -0700", "2024-03-01 "+hms+" +0800")
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	type want struct {
		line        int
		caller      string
		src, dst    string
		answered    bool
		disposition string
		cause       string
	}
	wants := []want{
		{1, "13800000001", "13800000001", "13900000001", true, Answered, "NORMAL_CLEARING"},
		{2, "Zhang, San", "13800000002", "13900000002", false, NoAnswer, "NO_ANSWER"},
		{4, "", "13800000004", "13900000004", false, Busy, "USER_BUSY"},
		{5, "Front\nDesk", "13800000005", "13900000005", true, Answered, "NORMAL_CLEARING"},
		{7, `The "Boss"`, "13800000006", "13900000006", false, Busy, "CALL_REJECTED"},
		{9, "13800000008", "13800000008", "13900000008", false, Congestion,
			"NORMAL_CIRCUIT_CONGESTION"},
	}
	if len(recs) != len(wants) {
		t.Fatalf("%d records, want %d", len(recs), len(wants))
	}
	for i, w := range wants {
		rec := recs[i]
		if rec.Line != w.line || rec.CallerName != w.caller || rec.Src != w.src ||
			rec.Dst != w.dst || (rec.Answer != nil) != w.answered ||
			rec.Disposition != w.disposition || rec.HangupCause != w.cause {
			t.Errorf("record %d = %+v, want %+v", i, rec, w)
		}
	}

	first := recs[0]
	if !first.Start.Equal(at("09:00:00")) || !first.Answer.Equal(at("09:00:05")) ||
		!first.End.Equal(at("09:01:05")) || first.Duration != 65 || first.BillSec != 60 {
		t.Errorf("first record times %+v", first)
	}
	if first.LegID != "freeswitch:a3f1c0de-0001-4b6e-9a51-0c1d2e3f4a01" ||
		first.AccountCode != "acct-demo" || first.Context != "default" {
		t.Errorf("first record ids %+v", first)
	}
}

func TestFreeSwitchRefusesOtherTemplates(t *testing.T) {
	in := `"a","13800000001","13900000001","default","2024-03-01 09:00:00","",` +
		`"2024-03-01 09:00:01","1","0","NO_ANSWER","u-1","","acct","PCMA","PCMA","extra"` + "\n"
	_, bad := readAll(t, NewFreeSwitchReader(bytes.NewReader([]byte(in)), nil))
	if len(bad) != 1 || bad[0].Reason != "expected 15 columns, found 16" {
		t.Errorf("line errors %v", bad)
	}
}

func TestFreeSwitchDisposition(t *testing.T) {
	tests := []struct {
		cause    string
		answered bool
		want     string
	}{
		{"NORMAL_CLEARING", true, Answered},
		{"USER_BUSY", true, Answered},
		{"NORMAL_CLEARING", false, NoAnswer},
		{"ORIGINATOR_CANCEL", false, NoAnswer},
		{"USER_BUSY", false, Busy},
		{"SWITCH_CONGESTION", false, Congestion},
		{"UNALLOCATED_NUMBER", false, Failed},
	}
	for _, tt := range tests {
		if got := freeSwitchDisposition(tt.cause, tt.answered); got != tt.want {
			t.Errorf("%s answered=%v: %s, want %s", tt.cause, tt.answered, got, tt.want)
		}
	}
}
