package cdrcsv

import "strings"

// splitFields splits one CSV record into its fields. Quoting follows RFC 4180
// ("" inside quotes is one quote) with the tolerance of real switch output: a
// quote inside an unquoted field is kept, and so is a lone quote inside a
// quoted field that is not followed by a comma or the end. open reports that
// text ends inside a quoted field, which then continues on the next line.
func splitFields(text string) (fields []string, open bool) {
	var field strings.Builder
	i := 0
	for {
		if i < len(text) && text[i] == '"' {
			// A quoted field runs to a quote followed by a comma or the end.
			field.Reset()
			i++
			for {
				j := strings.IndexByte(text[i:], '"')
				if j < 0 {
					return nil, true
				}
				field.WriteString(text[i : i+j])
				i += j + 1
				if i < len(text) && text[i] == '"' {
					field.WriteByte('"')
					i++
					continue
				}
				if i == len(text) || text[i] == ',' {
					break
				}
				field.WriteByte('"')
			}
			fields = append(fields, field.String())
		} else {
			j := strings.IndexByte(text[i:], ',')
			if j < 0 {
				return append(fields, text[i:]), false
			}
			fields = append(fields, text[i:i+j])
			i += j
		}

		// Here text[i] is the comma after the field, or the text has ended.
		if i == len(text) {
			return fields, false
		}
		i++
	}
}
