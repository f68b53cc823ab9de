package api

import (
	"context"
	"net/http"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/money"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountDashboard)
}

func (s *Server) mountDashboard(m mounts) {
	m.dev.Get("/dashboard", s.handle(s.dashboard))
}

// How much of each list the dashboard shows.
const (
	dashboardFailureCauses = 5
	dashboardTopApps       = 5
)

type failureCauseJSON struct {
	Cause string `json:"cause"`
	Calls int64  `json:"calls"`
}

type callQualityJSON struct {
	From             string             `json:"from"` // first Beijing day
	Calls            int64              `json:"calls"`
	Answered         int64              `json:"answered"`
	AnswerRate       float64            `json:"answer_rate"`
	AverageDuration  float64            `json:"average_duration_seconds"`
	TopFailureCauses []failureCauseJSON `json:"top_failure_causes"`
}

type costlyAppJSON struct {
	AppID  string   `json:"app_id"`
	Name   string   `json:"name"`
	Amount money.Li `json:"amount"`
}

type dashboardJSON struct {
	Account     accountJSON `json:"account"`
	CallQuality struct {
		Today     callQualityJSON `json:"today"`
		Last7Days callQualityJSON `json:"last_7_days"`
	} `json:"call_quality"`
	Apps struct {
		Total            int64            `json:"total"`
		ByStatus         map[string]int64 `json:"by_status"`
		TopCostThisMonth []costlyAppJSON  `json:"top_cost_this_month"`
	} `json:"apps"`
	UnreadMessages int64 `json:"unread_messages"`
}

// dashboard answers what the console's home page shows, in one call: the account
// and its balance, today's and the last 7 Beijing days' call quality, the apps by
// status with those that cost most this Beijing month, and the unread messages.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sid := caller(ctx).SID
	acct, err := s.store.GetAccountBySID(ctx, sid)
	if err != nil {
		return db.NotFound(err, "account")
	}
	var out dashboardJSON
	out.Account = toAccountJSON(acct)

	today := beijingDay(s.now())
	if out.CallQuality.Today, err = s.callQuality(ctx, sid, today, today); err != nil {
		return err
	}
	week := today.AddDate(0, 0, -6)
	if out.CallQuality.Last7Days, err = s.callQuality(ctx, sid, week, today); err != nil {
		return err
	}

	statuses, err := s.store.CountAppsByStatus(ctx, sid)
	if err != nil {
		return err
	}
	out.Apps.ByStatus = map[string]int64{}
	for _, st := range statuses {
		out.Apps.ByStatus[st.Status] = st.Apps
		out.Apps.Total += st.Apps
	}
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, today.Location())
	costly, err := s.store.ListTopCostApps(ctx, db.ListTopCostAppsParams{
		AccountSid: sid, Since: month, MaxRows: dashboardTopApps})
	if err != nil {
		return err
	}
	out.Apps.TopCostThisMonth = make([]costlyAppJSON, len(costly))
	for i, c := range costly {
		out.Apps.TopCostThisMonth[i] = costlyAppJSON{AppID: c.AppID, Name: c.Name,
			Amount: money.Li(c.AmountLi)}
	}

	if out.UnreadMessages, err = s.store.CountUnreadMessages(ctx, sid); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// callQuality sums an account's calls over Beijing days from first to last, from
// the daily statistics, with the most frequent reasons calls were not answered.
func (s *Server) callQuality(ctx context.Context, sid string, first, last time.Time) (
	callQualityJSON, error) {
	sum, err := s.store.SumCDRDailyStats(ctx, db.SumCDRDailyStatsParams{AccountSid: sid,
		FromDay: first.Format(dayLayout), ToDay: last.Format(dayLayout)})
	if err != nil {
		return callQualityJSON{}, err
	}
	st := newSessionStats("", "", sum.Calls, sum.Answered, sum.BilledSeconds, 0, 0)
	q := callQualityJSON{From: first.Format(dayLayout), Calls: st.Calls,
		Answered: st.Answered, AnswerRate: st.AnswerRate, AverageDuration: st.AverageDuration,
		TopFailureCauses: []failureCauseJSON{}}
	causes, err := s.store.ListCDRFailureCauses(ctx, db.ListCDRFailureCausesParams{
		AccountSid: sid, Since: first, MaxRows: dashboardFailureCauses})
	if err != nil {
		return callQualityJSON{}, err
	}
	for _, c := range causes {
		q.TopFailureCauses = append(q.TopFailureCauses, failureCauseJSON{c.Cause, c.Calls})
	}
	return q, nil
}
