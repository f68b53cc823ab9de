package api

// featureMounts lists every feature's route mounting. Each feature's file adds its
// own in an init function, so that features are added without touching this file.
var featureMounts []func(*Server, mounts)

func init() {
	featureMounts = append(featureMounts, (*Server).mountAccounts, (*Server).mountMessages)
}

// features returns the mounting functions bound to s.
func (s *Server) features() []func(mounts) {
	out := make([]func(mounts), len(featureMounts))
	for i, f := range featureMounts {
		out[i] = func(m mounts) { f(s, m) }
	}
	return out
}
