package idcard

import "testing"

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"110105194912311234", "1101**********1234"},
		{"91350100M000100Y43", "9135**********0Y43"},
		{"123456789", "1234*6789"},
		{"12345678", "********"},
		{"1234", "****"},
		{"", ""},
		{"北京市朝阳区建国路一号", "北京市朝***国路一号"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
