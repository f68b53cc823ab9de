package netguard

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// fakeDNS answers the Go resolver's queries from a table, over in-memory
// pipes: a lookup through it never touches the network, so tests can make a
// name resolve to any address without asking a real DNS server.
type fakeDNS struct {
	mu      sync.Mutex
	records map[string][]netip.Addr
}

func newFakeDNS() *fakeDNS {
	return &fakeDNS{records: make(map[string][]netip.Addr)}
}

// set makes name resolve to addrs from now on.
func (d *fakeDNS) set(name string, addrs ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.records[name] = nil
	for _, a := range addrs {
		d.records[name] = append(d.records[name], netip.MustParseAddr(a))
	}
}

// resolver returns a resolver that sends every query to d, whatever server
// the system configuration names.
func (d *fakeDNS) resolver(t *testing.T) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go d.serve(t, server)
			return client, nil
		},
	}
}

// serve answers length-prefixed queries on conn, as DNS over a stream does,
// until the resolver closes it.
func (d *fakeDNS) serve(t *testing.T, conn net.Conn) {
	defer conn.Close()
	for {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, query); err != nil {
			return
		}
		reply, ok := d.answer(query)
		if !ok {
			t.Errorf("fake DNS: cannot read query % x", query)
			return
		}
		reply = append(binary.BigEndian.AppendUint16(nil, uint16(len(reply))), reply...)
		if _, err := conn.Write(reply); err != nil {
			return
		}
	}
}

// DNS record types and classes used by the fake.
const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	dnsClassIN  = 1
)

// answer builds the reply to one query: the addresses of the asked family,
// or NXDOMAIN for a name not in the table.
func (d *fakeDNS) answer(query []byte) ([]byte, bool) {
	const headerLen = 12
	if len(query) < headerLen+5 {
		return nil, false
	}

	// Read the one question: the name's labels, then type and class.
	var labels []string
	i := headerLen
	for i < len(query) && query[i] != 0 {
		n := int(query[i])
		if i+1+n > len(query) {
			return nil, false
		}
		labels = append(labels, string(query[i+1:i+1+n]))
		i += 1 + n
	}
	if i+5 > len(query) {
		return nil, false
	}
	question := query[headerLen : i+5]
	qtype := binary.BigEndian.Uint16(query[i+1:])
	name := strings.ToLower(strings.Join(labels, "."))

	d.mu.Lock()
	addrs, known := d.records[name]
	d.mu.Unlock()

	var answers [][]byte
	for _, a := range addrs {
		if a.Is4() && qtype == dnsTypeA {
			answers = append(answers, a.AsSlice())
		}
		if a.Is6() && qtype == dnsTypeAAAA {
			answers = append(answers, a.AsSlice())
		}
	}

	// Header: same ID; a recursive, authoritative response; NXDOMAIN when
	// the name is unknown; one question and the answers.
	flags := uint16(0x8580)
	if !known {
		flags |= 3
	}
	reply := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(query))
	reply = binary.BigEndian.AppendUint16(reply, flags)
	reply = binary.BigEndian.AppendUint16(reply, 1)
	reply = binary.BigEndian.AppendUint16(reply, uint16(len(answers)))
	reply = binary.BigEndian.AppendUint16(reply, 0)
	reply = binary.BigEndian.AppendUint16(reply, 0)
	reply = append(reply, question...)
	for _, rdata := range answers {
		reply = append(reply, 0xc0, headerLen) // the name, as a pointer to the question
		reply = binary.BigEndian.AppendUint16(reply, qtype)
		reply = binary.BigEndian.AppendUint16(reply, dnsClassIN)
		reply = binary.BigEndian.AppendUint32(reply, 1) // TTL in seconds
		reply = binary.BigEndian.AppendUint16(reply, uint16(len(rdata)))
		reply = append(reply, rdata...)
	}
	return reply, true
}

func TestFakeDNS(t *testing.T) {
	dns := newFakeDNS()
	dns.set("dual.test", "192.0.2.1", "2001:db8::1")
	r := dns.resolver(t)

	got, err := r.LookupNetIP(context.Background(), "ip", "dual.test")
	if err != nil || len(got) != 2 {
		t.Fatalf("LookupNetIP(dual.test) = %v, %v; want two addresses", got, err)
	}
	if _, err := r.LookupNetIP(context.Background(), "ip", "unknown.test"); err == nil {
		t.Error("LookupNetIP(unknown.test) succeeded")
	}
}
