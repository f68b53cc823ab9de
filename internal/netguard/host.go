package netguard

import "strings"

// Limits of a domain name, from RFC 1035.
const (
	maxDomainLength = 253
	maxLabelLength  = 63
)

// domainProblem returns why name is not a fully qualified domain name of
// letter-digit-hyphen labels, or "" when it is one. The name must already be
// lower case. It asks for at least two labels and a top-level label that
// starts with a letter, so that numbers such as "127.1" or "2130706433",
// which some resolvers read as IP addresses, are not taken for names.
func domainProblem(name string) string {
	switch {
	case name == "":
		return "the host is empty"
	case !isASCII(name):
		return "an internationalised domain must be written in its punycode (xn--) form"
	case len(name) > maxDomainLength:
		return "a domain name has at most 253 characters"
	}

	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return "a domain name needs at least two labels, as in example.com"
	}
	for _, label := range labels {
		if p := labelProblem(label); p != "" {
			return p
		}
	}
	if top := labels[len(labels)-1]; top[0] < 'a' || top[0] > 'z' {
		return "not a valid IP address, and a domain name must end in a label " +
			"that starts with a letter"
	}
	return ""
}

// labelProblem returns why label is not a letter-digit-hyphen label, or "".
func labelProblem(label string) string {
	switch {
	case label == "":
		return "a domain name has no empty labels (two dots in a row, or a dot at an end)"
	case len(label) > maxLabelLength:
		return "a domain label has at most 63 characters"
	case label[0] == '-' || label[len(label)-1] == '-':
		return "a domain label cannot start or end with a hyphen"
	}
	for i := range len(label) {
		c := label[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "a domain name holds only letters, digits, hyphens and dots"
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
