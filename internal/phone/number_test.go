package phone

import (
	"errors"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want Number
		err  error
	}{
		{"010-88889999", Number{KindLandline, "01088889999", "010"}, nil},
		{"01088889999", Number{KindLandline, "01088889999", "010"}, nil},
		{"010 8888 9999", Number{KindLandline, "01088889999", "010"}, nil},
		{"021-62345678", Number{KindLandline, "02162345678", "021"}, nil},
		{"0755-86001234", Number{KindLandline, "075586001234", "0755"}, nil},
		{"0571-8765432", Number{KindLandline, "05718765432", "0571"}, nil},
		{"0398-2345678", Number{KindLandline, "03982345678", "0398"}, nil},
		{"+86 10 88889999", Number{KindLandline, "01088889999", "010"}, nil},
		{"+86-755-86001234", Number{KindLandline, "075586001234", "0755"}, nil},
		{"+86 010 88889999", Number{KindLandline, "01088889999", "010"}, nil},
		{"+86 951 2345678", Number{KindLandline, "09512345678", "0951"}, nil},
		{"86 2162345678", Number{KindLandline, "02162345678", "021"}, nil},
		{"400-800-1234", Number{Kind400, "4008001234", ""}, nil},
		{"4008001234", Number{Kind400, "4008001234", ""}, nil},
		{"+86 400 800 1234", Number{Kind400, "4008001234", ""}, nil},
		{"95588", Number{Kind95, "95588", ""}, nil},
		{"95 5 88", Number{Kind95, "95588", ""}, nil},
		{"950123", Number{Kind95, "950123", ""}, nil},
		{"95012345", Number{Kind95, "95012345", ""}, nil},
		{"13800138000", Number{KindMobile, "13800138000", ""}, nil},
		{"+86 138 0013 8000", Number{KindMobile, "13800138000", ""}, nil},

		{"", Number{}, ErrFormat},
		{"010_88889999", Number{}, ErrFormat},
		{"(010)88889999", Number{}, ErrFormat},
		{"010-08889999", Number{}, ErrFormat},
		{"010-888899", Number{}, ErrLength},
		{"010-888899990", Number{}, ErrLength},
		{"0755-123456789", Number{}, ErrLength},
		{"400-800-123", Number{}, ErrLength},
		{"400-800-12345", Number{}, ErrLength},
		{"9558", Number{}, ErrLength},
		{"955881234", Number{}, ErrLength},
		{"011-88889999", Number{}, ErrAreaCode},
		{"001-88889999", Number{}, ErrAreaCode},
		{"00-1088889999", Number{}, ErrAreaCode},
		{"075-586001234", Number{}, ErrAreaCode},
		{"07558-6001234", Number{}, ErrAreaCode},
		{"01-088889999", Number{}, ErrAreaCode},
		{"+86 75-586001234", Number{}, ErrAreaCode},
		{"+86 11 88889999", Number{}, ErrAreaCode},
		{"88889999", Number{}, ErrPrefix},
		{"12800138000", Number{}, ErrPrefix},
		{"80012345678", Number{}, ErrPrefix},
		{"+44 20 7946 0000", Number{}, ErrPrefix},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseNumber(%q) = %+v, %v; want %+v, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestNumberForms(t *testing.T) {
	tests := []struct {
		in      string
		e164    string
		display string
		region  string
	}{
		{"01088889999", "+861088889999", "010-88889999", "北京"},
		{"0755 86001234", "+8675586001234", "0755-86001234", "深圳"},
		{"0398-2345678", "+863982345678", "0398-2345678", ""},
		{"4008001234", "+864008001234", "400-800-1234", ""},
		{"95588", "", "95588", ""},
		{"13800138000", "+8613800138000", "13800138000", ""},
	}
	for _, tt := range tests {
		n, err := ParseNumber(tt.in)
		if err != nil {
			t.Fatalf("ParseNumber(%q) = %v", tt.in, err)
		}
		if got := n.E164(); got != tt.e164 {
			t.Errorf("%q.E164() = %q, want %q", tt.in, got, tt.e164)
		}
		if got := n.String(); got != tt.display {
			t.Errorf("%q.String() = %q, want %q", tt.in, got, tt.display)
		}
		if got := n.Region(); got != tt.region {
			t.Errorf("%q.Region() = %q, want %q", tt.in, got, tt.region)
		}

		// Both written forms read back as the same number.
		for _, form := range []string{n.E164(), n.String()} {
			if form == "" {
				continue
			}
			if back, err := ParseNumber(form); err != nil || back != n {
				t.Errorf("ParseNumber(%q) = %+v, %v; want %+v", form, back, err, n)
			}
		}
	}
}

func TestNumberStringOfHandMadeValue(t *testing.T) {
	// A Number built by hand with inconsistent fields must not panic.
	n := Number{Kind: KindLandline, Digits: "010", AreaCode: "0755"}
	if got := n.String(); got != "010" {
		t.Errorf("String() = %q, want the digits", got)
	}
}

func TestRegionForAreaCode(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"010", "北京"}, {"021", "上海"}, {"020", "广州"}, {"022", "天津"},
		{"023", "重庆"}, {"024", "沈阳"}, {"025", "南京"}, {"027", "武汉"},
		{"028", "成都"}, {"029", "西安"}, {"0755", "深圳"}, {"0571", "杭州"},
		{"0512", "苏州"}, {"0532", "青岛"}, {"0731", "长沙"}, {"0371", "郑州"},
		{"0591", "福州"}, {"0592", "厦门"}, {"0871", "昆明"}, {"0851", "贵阳"},
		{"755", "深圳"}, {"10", "北京"},
		{"0398", ""}, {"", ""}, {"0", ""},
	}
	for _, tt := range tests {
		if got := RegionForAreaCode(tt.code); got != tt.want {
			t.Errorf("RegionForAreaCode(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}

	// Every code in the table is one that ParseNumber reads as an area code.
	for code := range areaRegions {
		n, err := ParseNumber(code + "-6234567")
		if err != nil || n.AreaCode != code {
			t.Errorf("ParseNumber with area code %s = %+v, %v", code, n, err)
		}
	}
}
