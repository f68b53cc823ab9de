// Package netguard checks what developers tell the console about their own
// servers, and guards the requests the console sends to them.
//
// ParseCallbackURL checks an app's callback URL: http or https, a domain name
// or IP address, an optional port, and nothing that hides where it points
// (user info, fragments). ParseWhitelist reads an app's server whitelist, IP
// addresses, CIDR blocks and domain names separated by the ASCII ";", and
// names the entry at fault when it refuses one, calling out the full-width
// "；" that Chinese input methods type.
//
// NewClient returns an HTTP client for outgoing callback requests that never
// reaches loopback, private, link-local or other internal addresses unless it
// is configured to. The check runs on the resolved address inside the
// dialer's Control hook, after DNS and before connect(2), so it also covers
// names that resolve to internal addresses, DNS rebinding and redirects.
// Refused dials fail with an error matching ErrForbiddenAddress.
//
// Sign and Verify compute and check the HMAC-SHA256 signature that outgoing
// callback requests carry, so that developers can tell them from forgeries.
package netguard
