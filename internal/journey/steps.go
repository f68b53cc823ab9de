package journey

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/yiyun-console/console/internal/idcard"
)

// data holds the real inputs the journey uploads: IVR prompts from the Asterisk
// core sounds (see data/NOTICE) and a real Asterisk Master.csv.
//
//go:embed data
var data embed.FS

var beijing = time.FixedZone("CST", 8*3600)

func (j *journey) register(ctx context.Context) error {
	email := "dev-" + j.tag + "@example.com"
	password := "journey password " + j.tag
	_, err := j.call(ctx, Call{Method: "POST", Path: "/v1/accounts", Idempotent: true,
		Want: http.StatusCreated, Body: map[string]any{
			"email": email, "password": password, "mobile": j.mobile(),
			"contact_name": "王小明"}})
	if err != nil {
		return err
	}
	a, err := j.login(ctx, email, password)
	if err != nil {
		return err
	}
	j.dev, j.res.AccountSID = a.Str("token"), a.Str("account_sid")
	j.res.Email, j.res.Password = email, password
	j.say("registered %s, account %s", email, j.res.AccountSID)
	return nil
}

// mobile makes a Chinese mobile number unique enough for one journey.
func (j *journey) mobile() string {
	return fmt.Sprintf("139%08d", rand.IntN(100_000_000))
}

func (j *journey) login(ctx context.Context, email, password string) (Answer, error) {
	return j.call(ctx, Call{Method: "POST", Path: "/v1/sessions", Want: http.StatusCreated,
		Body: map[string]any{"email": email, "password": password}})
}

func (j *journey) staffLogin(ctx context.Context) error {
	r, err := j.login(ctx, j.cfg.Reviewer.Email, j.cfg.Reviewer.Password)
	if err != nil {
		return fmt.Errorf("reviewer: %w", err)
	}
	o, err := j.login(ctx, j.cfg.Operator.Email, j.cfg.Operator.Password)
	if err != nil {
		return fmt.Errorf("operator: %w", err)
	}
	j.reviewer, j.operator = r.Str("token"), o.Str("token")
	j.say("reviewer %s and operator %s logged in", j.cfg.Reviewer.Email, j.cfg.Operator.Email)
	return nil
}

// uploadImage uploads a generated PNG for a verification and returns its file ID.
func (j *journey) uploadImage(ctx context.Context, name string, tint color.RGBA) (string, error) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			c := tint
			if (x/20+y/20)%2 == 0 {
				c.A = 160
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	a, err := j.call(ctx, Call{Method: "POST", Path: "/v1/files", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated,
		File: &File{Field: "file", Name: name, Data: buf.Bytes()}})
	if err != nil {
		return "", err
	}
	return a.Str("id"), nil
}

// verify submits a verification, has the reviewer approve it and waits until the
// account shows the wanted level.
func (j *journey) verify(ctx context.Context, body map[string]any, level string) error {
	v, err := j.call(ctx, Call{Method: "POST", Path: "/v1/verifications", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated, Body: body})
	if err != nil {
		return err
	}
	id := v.Str("id")
	j.say("submitted %s verification %s, shown masked: %s", body["kind"], id,
		firstNonEmpty(v.Str("id_number"), v.Str("credit_code")))
	j.workflow("verification-review/" + id)

	path := "/v1/verifications/" + id
	err = j.decide(ctx, Call{Method: "POST", Token: j.reviewer,
		Path: "/v1/review/verifications/" + id + "/decision",
		Body: map[string]any{"decision": "approve"}}, func() (bool, error) {
		a, err := j.call(ctx, Call{Method: "GET", Path: path, Token: j.dev})
		return a.Str("status") == "approved", err
	})
	if err != nil {
		return err
	}
	if _, err := j.waitStatus(ctx, j.dev, path, "approved", "rejected"); err != nil {
		return err
	}
	err = j.waitFor(ctx, "verification level "+level, func() (bool, error) {
		a, err := j.call(ctx, Call{Method: "GET", Path: "/v1/account", Token: j.dev})
		return a.Str("verification_level") == level, err
	})
	if err != nil {
		return err
	}
	j.say("the reviewer approved it; the account is verified as %s", level)
	return nil
}

func (j *journey) personalVerification(ctx context.Context) error {
	front, err := j.uploadImage(ctx, "id-front.png", color.RGBA{40, 90, 160, 255})
	if err != nil {
		return err
	}
	back, err := j.uploadImage(ctx, "id-back.png", color.RGBA{160, 90, 40, 255})
	if err != nil {
		return err
	}
	j.say("uploaded the ID card photos %s and %s", front, back)
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rand.IntN(40*365))
	id := idcard.CompleteResidentID(fmt.Sprintf("110105%s%03d", birth.Format("20060102"),
		rand.IntN(1000)))
	return j.verify(ctx, map[string]any{"kind": "personal", "real_name": "王小明",
		"id_number": id, "id_front_file": front, "id_back_file": back}, "personal")
}

func (j *journey) topUp(ctx context.Context) error {
	const amount = "2000.00"
	o, err := j.call(ctx, Call{Method: "POST", Path: "/v1/recharge-orders", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated,
		Body: map[string]any{"amount": amount, "channel": "sandbox"}})
	if err != nil {
		return err
	}
	id := o.Str("id")
	j.res.RechargeOrderID, j.res.Recharged = id, amount
	j.say("recharge order %s for %s CNY", id, o.Str("amount"))
	j.workflow("recharge-order/" + id)
	path := "/v1/recharge-orders/" + id
	err = j.decide(ctx, Call{Method: "POST", Path: "/v1/sandbox/pay/" + id, Token: j.dev},
		func() (bool, error) {
			a, err := j.call(ctx, Call{Method: "GET", Path: path, Token: j.dev})
			return a.Str("status") == "paid", err
		})
	if err != nil {
		return err
	}
	if _, err := j.waitStatus(ctx, j.dev, path, "paid", "expired"); err != nil {
		return err
	}
	b, err := j.call(ctx, Call{Method: "GET", Path: "/v1/balance", Token: j.dev})
	if err != nil {
		return err
	}
	j.say("the sandbox channel paid it with a signed notice; balance %s CNY", b.Str("balance"))
	return nil
}

// callbackServer answers the go-live probe as a developer's server would. It lives
// as long as ctx.
func callbackServer(ctx context.Context) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ok":true}`))
		})}
	go func() { _ = srv.Serve(l) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + l.Addr().String() + "/voice/callback", nil
}

func (j *journey) createApp(ctx context.Context) error {
	callback, err := callbackServer(ctx)
	if err != nil {
		return err
	}
	a, err := j.call(ctx, Call{Method: "POST", Path: "/v1/apps", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated, Body: map[string]any{
			"name": "客服热线 " + j.tag[:4], "type": "ivr", "callback_url": callback}})
	if err != nil {
		return err
	}
	j.res.AppID = a.Str("app_id")
	j.say("IVR app %s (%s), status %s, callback %s", a.Str("name"), j.res.AppID,
		a.Str("status"), callback)
	j.say("its app token is shown once: %s…", prefix(a.Str("app_token"), 6))
	return nil
}

// prompts are the IVR prompts uploaded; refused is one the library must refuse.
var (
	prompts = []string{"hello-world.wav", "hello-world-alaw.wav", "pls-hold-while-try.wav",
		"queue-thankyou.wav", "vm-goodbye.mp3"}
	refusedPrompt = "hello-world-stereo.wav"
)

func (j *journey) uploadPrompts(ctx context.Context) error {
	path := "/v1/apps/" + j.res.AppID + "/media"
	for _, name := range prompts {
		b, err := data.ReadFile("data/" + name)
		if err != nil {
			return err
		}
		a, err := j.call(ctx, Call{Method: "POST", Path: path, Token: j.dev, Idempotent: true,
			Want: http.StatusCreated, File: &File{Field: "file", Name: name, Data: b}})
		if err != nil {
			return err
		}
		j.say("%-24s %s, %d Hz, %d ms", name, a.Str("format"), a.Int("sample_rate"),
			a.Int("duration_ms"))
	}
	b, err := data.ReadFile("data/" + refusedPrompt)
	if err != nil {
		return err
	}
	a, err := j.call(ctx, Call{Method: "POST", Path: path, Token: j.dev,
		Want: http.StatusBadRequest, File: &File{Field: "file", Name: refusedPrompt, Data: b}})
	if err != nil {
		return fmt.Errorf("a stereo prompt must be refused: %w", err)
	}
	j.say("%-24s refused as it should be: %s", refusedPrompt, a.ErrorMessage())
	return nil
}

var smsCode = regexp.MustCompile(`\b(\d{6})\b`)

func (j *journey) testNumber(ctx context.Context) error {
	mobile := j.mobile()
	t, err := j.call(ctx, Call{Method: "POST", Path: "/v1/test-numbers", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated, Body: map[string]any{"mobile": mobile}})
	if err != nil {
		return err
	}
	id := t.Str("id")
	j.say("test number %s added; a code is texted to it", mobile)
	j.workflow("test-number/" + id)
	var code string
	err = j.waitFor(ctx, "the code in the SMS outbox", func() (bool, error) {
		a, err := j.call(ctx, Call{Method: "GET", Path: "/v1/ops/sms-outbox?mobile=" + mobile,
			Token: j.operator})
		if err != nil {
			return false, err
		}
		for _, m := range a.Items() {
			if body, _ := m["body"].(string); smsCode.MatchString(body) {
				code = smsCode.FindStringSubmatch(body)[1]
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	j.say("the operator's SMS outbox shows the code %s", code)
	path := "/v1/test-numbers/" + id
	err = j.decide(ctx, Call{Method: "POST", Path: path + "/verify", Token: j.dev,
		Body: map[string]any{"code": code}}, func() (bool, error) {
		a, err := j.call(ctx, Call{Method: "GET", Path: "/v1/test-numbers", Token: j.dev})
		for _, n := range a.Items() {
			if n["id"] == id && n["status"] == "verified" {
				return true, err
			}
		}
		return false, err
	})
	if err != nil {
		return err
	}
	j.say("verified with the code")
	return nil
}

func (j *journey) goLive(ctx context.Context) error {
	// The pool must hold a free number for the IVR app: the operator imports one.
	number := fmt.Sprintf("05718%07d", rand.IntN(10_000_000))
	if _, err := j.call(ctx, Call{Method: "POST", Path: "/v1/ops/numbers", Token: j.operator,
		Want: http.StatusCreated, Body: map[string]any{"numbers": []map[string]any{
			{"number": number, "region": "杭州"}}}}); err != nil {
		return err
	}
	j.say("the operator imported %s into the number pool; go-live binds a free one", number)

	g, err := j.call(ctx, Call{Method: "POST", Path: "/v1/apps/" + j.res.AppID + "/go-live",
		Token: j.dev, Idempotent: true, Want: http.StatusAccepted})
	if err != nil {
		return err
	}
	id := g.Str("id")
	j.say("go-live request %s: preconditions and the callback probe first", id)
	j.workflow("go-live/" + id)
	appPath := "/v1/apps/" + j.res.AppID
	err = j.decide(ctx, Call{Method: "POST", Path: "/v1/review/go-lives/" + id + "/decision",
		Token: j.reviewer, Body: map[string]any{"decision": "approve"}},
		func() (bool, error) {
			a, err := j.call(ctx, Call{Method: "GET", Path: appPath, Token: j.dev})
			if a.Str("status") == "rejected" {
				return false, fmt.Errorf("the go-live was refused: %s", a.Str("status_reason"))
			}
			return a.Str("status") == "live", err
		})
	if err != nil {
		return err
	}
	if _, err := j.waitStatus(ctx, j.dev, appPath, "live", "rejected"); err != nil {
		return err
	}
	n, err := j.call(ctx, Call{Method: "GET", Path: "/v1/numbers", Token: j.dev})
	if err != nil {
		return err
	}
	for _, it := range n.Items() {
		if it["app_id"] == j.res.AppID {
			j.res.Number, _ = it["number"].(string)
		}
	}
	if j.res.Number == "" {
		return fmt.Errorf("the live IVR app has no inbound number: %s", n.Body)
	}
	b, err := j.call(ctx, Call{Method: "GET", Path: "/v1/balance", Token: j.dev})
	if err != nil {
		return err
	}
	j.say("approved: the app is live on %s; first IVR charges taken, balance %s CNY",
		j.res.Number, b.Str("balance"))
	return nil
}

func (j *journey) companyVerification(ctx context.Context) error {
	licence, err := j.uploadImage(ctx, "licence.png", color.RGBA{30, 140, 80, 255})
	if err != nil {
		return err
	}
	j.say("uploaded the business licence %s", licence)
	code := idcard.CompleteCreditCode(fmt.Sprintf("91330106%09d", rand.IntN(1_000_000_000)))
	return j.verify(ctx, map[string]any{"kind": "company",
		"company_name": "杭州一云示范科技有限公司" + j.tag[:4], "credit_code": code,
		"legal_representative": "王小明", "licence_file": licence,
		"contact_phone": j.mobile()}, "company")
}

func (j *journey) invoice(ctx context.Context) error {
	if _, err := j.call(ctx, Call{Method: "PUT", Path: "/v1/invoice-profile", Token: j.dev,
		Body: map[string]any{"invoice_type": "company", "address": "杭州市西湖区文三路 90 号",
			"phone": "0571-88886666", "bank_name": "招商银行杭州分行",
			"bank_account": "571908888810001"}}); err != nil {
		return err
	}
	if _, err := j.call(ctx, Call{Method: "PUT", Path: "/v1/mailing-address", Token: j.dev,
		Body: map[string]any{"recipient": "王小明", "mobile": j.mobile(), "province": "浙江省",
			"city": "杭州市", "district": "西湖区", "street": "文三路 90 号",
			"postcode": "310012"}}); err != nil {
		return err
	}
	a, err := j.call(ctx, Call{Method: "GET", Path: "/v1/invoices/invoiceable", Token: j.dev})
	if err != nil {
		return err
	}
	amount := a.Str("invoiceable")
	j.say("invoice information and mailing address saved; invoiceable now %s CNY", amount)
	if amount == "" || strings.Trim(amount, "0.") == "" {
		return fmt.Errorf("nothing to invoice: %s", a.Body)
	}
	inv, err := j.call(ctx, Call{Method: "POST", Path: "/v1/invoices", Token: j.dev,
		Idempotent: true, Want: http.StatusCreated, Body: map[string]any{"amount": amount}})
	if err != nil {
		return err
	}
	id := inv.Str("id")
	j.res.InvoiceID, j.res.Invoiced = id, amount
	j.say("applied for invoice %s of %s CNY", id, amount)
	j.workflow("invoice/" + id)

	path := "/v1/invoices/" + id
	reached := func(st string) func() (bool, error) {
		return func() (bool, error) {
			a, err := j.call(ctx, Call{Method: "GET", Path: path, Token: j.dev})
			return invoiceOrder[a.Str("status")] >= invoiceOrder[st], err
		}
	}
	steps := []struct {
		call  Call
		state string
		say   string
	}{
		{Call{Method: "POST", Path: "/v1/review/invoices/" + id + "/decision", Token: j.reviewer,
			Body: map[string]any{"decision": "approve"}}, "approved", "the reviewer approved it"},
		{Call{Method: "POST", Path: "/v1/ops/invoices/" + id + "/issue", Token: j.operator,
			Body: map[string]any{"invoice_number": fmt.Sprintf("%08d", rand.IntN(1e8))}},
			"issued", "the operator issued it"},
		{Call{Method: "POST", Path: "/v1/ops/invoices/" + id + "/mail", Token: j.operator,
			Body: map[string]any{"courier": "顺丰速运",
				"tracking_number": fmt.Sprintf("SF%010d", rand.IntN(1e9))}},
			"mailed", "the operator mailed it"},
		{Call{Method: "POST", Path: path + "/confirm-delivery", Token: j.dev}, "delivered",
			"the developer confirmed its delivery"},
	}
	for _, s := range steps {
		if err := j.decide(ctx, s.call, reached(s.state)); err != nil {
			return err
		}
		if err := j.waitFor(ctx, "invoice "+s.state, reached(s.state)); err != nil {
			return err
		}
		j.say("%s", s.say)
	}
	return nil
}

// invoiceOrder orders an invoice's states along its way to delivery.
var invoiceOrder = map[string]int{"pending": 1, "approved": 2, "issued": 3, "mailed": 4,
	"delivered": 5}

func (j *journey) billingRun(ctx context.Context) error {
	started, err := j.call(ctx, Call{Method: "POST", Path: "/v1/ops/billing-runs",
		Token: j.operator, Idempotent: true, Want: http.StatusAccepted,
		Body: map[string]any{"month": j.month}})
	if err != nil {
		return err
	}
	j.workflow(started.Str("workflow_id"))
	run, err := j.waitStatus(ctx, j.operator, "/v1/ops/billing-runs/"+j.month, "completed")
	if err != nil {
		return err
	}
	j.say("the %s run: IVR apps charged for the month %d, unpaid %d; bills of the month "+
		"before issued %d", j.month, run.Int("apps_charged"), run.Int("apps_unpaid"),
		run.Int("bills_issued"))
	b, err := j.call(ctx, Call{Method: "GET", Path: "/v1/balance", Token: j.dev})
	if err != nil {
		return err
	}
	j.res.Balance = b.Str("balance")
	j.say("this app's rent for %s is charged once however often the run starts; balance %s CNY",
		j.month, j.res.Balance)
	return nil
}

func (j *journey) dashboard(ctx context.Context) error {
	return j.show(ctx, "/v1/dashboard")
}

func (j *journey) statistics(ctx context.Context) error {
	if err := j.show(ctx, "/v1/stats/consumption?period=day&by=category"); err != nil {
		return err
	}
	return j.show(ctx, "/v1/stats/sessions?app_id="+j.res.AppID)
}

func (j *journey) bill(ctx context.Context) error {
	return j.show(ctx, "/v1/bills/"+j.month)
}

// show prints a GET route's answer, indented.
func (j *journey) show(ctx context.Context, path string) error {
	a, err := j.call(ctx, Call{Method: "GET", Path: path, Token: j.dev})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, a.Body, "    ", "  "); err != nil {
		return err
	}
	j.say("GET %s", path)
	fmt.Fprintf(j.out, "    %s\n", buf.String())
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
