// Command server is the Go member of the chat accounts zoo: an in-memory
// GET/PUT /api/v2/chat/account written from the Zendesk Chat Accounts docs
// page and the requirement catalog, with net/http and encoding/json only.
//
// Environment: PORT (listens on 127.0.0.1:$PORT), OWNER_TOKEN, ADMIN_TOKEN,
// AGENT_TOKEN, SUPPORT_CREATED=1 (every PUT refused with 403), FAULT.
//
// Planted faults, FAULT=<name> (empty: conformant):
//
//	late-content-type -> SHAPE-CONTENT-TYPE: the 405 branch calls WriteHeader
//	    before setting Content-Type. Header changes after WriteHeader are
//	    ignored, so net/http sniffs the JSON body and sends text/plain.
//	nil-update -> ROBUST-HTTP: the PUT body is decoded with Decode(&upd)
//	    instead of Decode(upd). A body of `null` then sets upd itself to nil,
//	    the handler dereferences it and panics, and net/http closes the
//	    connection without writing a response.
//	trailing-json -> ROBUST-BAD-JSON: one Decoder.Decode is trusted to mean
//	    "the body is JSON". A Decoder stops after the first value, so bodies
//	    such as `{} x` or `null null` are taken (200, and applied).
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	faultLateContentType = "late-content-type"
	faultNilUpdate       = "nil-update"
	faultTrailingJSON    = "trailing-json"

	maxBodyBytes = 1 << 20
	allowMethods = "GET, HEAD, PUT"
)

type Billing struct {
	AdditionalInfo string `json:"additional_info"`
	Address1       string `json:"address1"`
	Address2       string `json:"address2"`
	City           string `json:"city"`
	Company        string `json:"company"`
	CountryCode    string `json:"country_code"`
	Cycle          int    `json:"cycle"`
	Email          string `json:"email"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	Phone          string `json:"phone"`
	PostalCode     string `json:"postal_code"`
	State          string `json:"state"`
}

type Plan struct {
	Analytics            bool   `json:"analytics"`
	FileUpload           bool   `json:"file_upload"`
	Integrations         bool   `json:"integrations"`
	LongDesc             string `json:"long_desc"`
	MaxAdvancedTriggers  int    `json:"max_advanced_triggers"`
	MaxAgents            int    `json:"max_agents"`
	MaxBasicTriggers     int    `json:"max_basic_triggers"`
	MaxConcurrentChats   string `json:"max_concurrent_chats"`
	MaxDepartments       int    `json:"max_departments"`
	MaxHistorySearchDays string `json:"max_history_search_days"`
	Name                 string `json:"name"`
	OperatingHours       bool   `json:"operating_hours"`
	ShortDesc            string `json:"short_desc"`
	WeeklyReports        bool   `json:"weekly_reports"`
	WidgetCustomization  string `json:"widget_customization"`
}

// Account is what GET and PUT return. Billing is nil (and so left out) in
// the view of anyone but the owner.
type Account struct {
	AccountKey string   `json:"account_key"`
	Billing    *Billing `json:"billing,omitempty"`
	CreateDate string   `json:"create_date"`
	Plan       Plan     `json:"plan"`
	Status     string   `json:"status"`
}

// billingUpdate mirrors Billing with pointer fields: nil means the field was
// not sent, or was sent as null, which the catalog lets us read as "not sent".
type billingUpdate struct {
	AdditionalInfo *string `json:"additional_info"`
	Address1       *string `json:"address1"`
	Address2       *string `json:"address2"`
	City           *string `json:"city"`
	Company        *string `json:"company"`
	CountryCode    *string `json:"country_code"`
	Cycle          *int    `json:"cycle"`
	Email          *string `json:"email"`
	FirstName      *string `json:"first_name"`
	LastName       *string `json:"last_name"`
	Phone          *string `json:"phone"`
	PostalCode     *string `json:"postal_code"`
	State          *string `json:"state"`
}

var billingKeys = []string{"additional_info", "address1", "address2", "city",
	"company", "country_code", "cycle", "email", "first_name", "last_name",
	"phone", "postal_code", "state"}

// accountUpdate holds only what a PUT may change. account_key, create_date,
// plan and status are read-only: they are not fields here, so encoding/json
// skips them whatever they hold, and the stored values stay.
type accountUpdate struct {
	Billing *billingUpdate `json:"billing"`
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (b *Billing) apply(u *billingUpdate) {
	setIf(&b.AdditionalInfo, u.AdditionalInfo)
	setIf(&b.Address1, u.Address1)
	setIf(&b.Address2, u.Address2)
	setIf(&b.City, u.City)
	setIf(&b.Company, u.Company)
	setIf(&b.CountryCode, u.CountryCode)
	setIf(&b.Cycle, u.Cycle)
	setIf(&b.Email, u.Email)
	setIf(&b.FirstName, u.FirstName)
	setIf(&b.LastName, u.LastName)
	setIf(&b.Phone, u.Phone)
	setIf(&b.PostalCode, u.PostalCode)
	setIf(&b.State, u.State)
}

type role int

const (
	roleNone role = iota
	roleAgent
	roleAdmin
	roleOwner
)

type server struct {
	mu      sync.Mutex
	account Account // the owner's view; Billing is never nil

	ownerToken, adminToken, agentToken string
	supportCreated                     bool
	fault                              string
}

func exampleAccount() Account {
	return Account{
		AccountKey: "zendesk-chat-account-key",
		Billing: &Billing{
			Address1: "123 Fictional Street", City: "West Fiction",
			Company: "John and Friends", CountryCode: "US", Cycle: 1,
			Email: "johndoe@zendesk.com", FirstName: "Jonathan", LastName: "Doe",
			Phone: "+12(1)123456", PostalCode: "12345", State: "Oklahoma",
		},
		CreateDate: "2014-08-06T11:02:09Z",
		Plan: Plan{
			FileUpload: true, Integrations: true,
			LongDesc:            "Ideal for most Lean Teams to Engage Customers.",
			MaxAdvancedTriggers: 2, MaxAgents: 2, MaxBasicTriggers: 2,
			MaxConcurrentChats: "unlimited", MaxDepartments: 2,
			MaxHistorySearchDays: "unlimited", Name: "team",
			ShortDesc: "Great for Lean Teams", WidgetCustomization: "full",
		},
		Status: "active",
	}
}

// view returns a copy of the account as the given role may see it.
func (s *server) view(r role) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewLocked(r)
}

func (s *server) viewLocked(r role) Account {
	a := s.account
	if r == roleOwner {
		b := *s.account.Billing
		a.Billing = &b
	} else {
		a.Billing = nil
	}
	return a
}

func (s *server) applyUpdate(u *accountUpdate) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Billing != nil {
		s.account.Billing.apply(u.Billing)
	}
	return s.viewLocked(roleOwner)
}

func (s *server) authenticate(r *http.Request) role {
	fields := strings.Fields(r.Header.Get("Authorization"))
	if len(fields) != 2 || !strings.EqualFold(fields[0], "Bearer") {
		return roleNone
	}
	token := []byte(fields[1])
	switch {
	case subtle.ConstantTimeCompare(token, []byte(s.ownerToken)) == 1:
		return roleOwner
	case subtle.ConstantTimeCompare(token, []byte(s.adminToken)) == 1:
		return roleAdmin
	case subtle.ConstantTimeCompare(token, []byte(s.agentToken)) == 1:
		return roleAgent
	}
	return roleNone
}

type errorBody struct {
	Error       string `json:"error"`
	Description string `json:"description"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing response: %v", err)
	}
}

func writeError(w http.ResponseWriter, status int, desc string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="chat"`)
	}
	writeJSON(w, status, errorBody{Error: http.StatusText(status), Description: desc})
}

func (s *server) handleAccount(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.show(w, r)
	case http.MethodPut:
		s.update(w, r)
	default:
		w.Header().Set("Allow", allowMethods)
		body := errorBody{Error: "Method Not Allowed",
			Description: "the account supports " + allowMethods}
		if s.fault == faultLateContentType {
			w.WriteHeader(http.StatusMethodNotAllowed)
			w.Header().Set("Content-Type", "application/json") // too late: ignored
			json.NewEncoder(w).Encode(body)
			return
		}
		writeJSON(w, http.StatusMethodNotAllowed, body)
	}
}

func (s *server) show(w http.ResponseWriter, r *http.Request) {
	who := s.authenticate(r)
	switch who {
	case roleNone:
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	case roleAgent:
		writeError(w, http.StatusForbidden, "Show Account is allowed for admins only")
		return
	}
	writeJSON(w, http.StatusOK, s.view(who))
}

func (s *server) update(w http.ResponseWriter, r *http.Request) {
	who := s.authenticate(r)
	switch {
	case who == roleNone:
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	case s.supportCreated:
		writeError(w, http.StatusForbidden, "this account was created in Zendesk Support: the Chat Accounts API is restricted to GET requests")
		return
	case who != roleOwner:
		writeError(w, http.StatusForbidden, "Update Account is allowed for the account owner only")
		return
	}

	// net/http and encoding/json never look at Content-Type; the docs send
	// application/json, and the catalog wants anything else refused.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be sent as application/json")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "the body is larger than 1 MiB")
			return
		}
		writeError(w, http.StatusBadRequest, "could not read the body")
		return
	}
	// encoding/json quietly turns invalid UTF-8 in strings into U+FFFD; RFC
	// 8259 text is UTF-8, so such a body is not JSON.
	if !utf8.Valid(body) {
		writeError(w, http.StatusBadRequest, "the body is not valid UTF-8")
		return
	}
	upd, err := s.decode(body)
	if err != nil {
		// Syntax errors and wrongly typed values alike (the body not an
		// object, billing not an object, a field of the wrong type).
		writeError(w, http.StatusBadRequest, "invalid body: "+err.Error())
		return
	}
	if key := caseVariantKey(body); key != "" {
		writeError(w, http.StatusBadRequest, "unknown field "+key)
		return
	}
	writeJSON(w, http.StatusOK, s.applyUpdate(upd))
}

func (s *server) decode(body []byte) (*accountUpdate, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	upd := new(accountUpdate)
	var err error
	if s.fault == faultNilUpdate {
		err = dec.Decode(&upd)
	} else {
		err = dec.Decode(upd) // `null` leaves upd as is: an empty update
	}
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty body")
	}
	if err != nil {
		return nil, err
	}
	if s.fault != faultTrailingJSON {
		// A Decoder stops after the first value; a JSON text is exactly one
		// value, so anything but whitespace after it makes the body invalid.
		var extra json.RawMessage
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return nil, errors.New("unexpected data after the JSON value")
		}
	}
	return upd, nil
}

// caseVariantKey reports a key that differs from a known one only by case.
// encoding/json matches keys case-insensitively, so {"EMAIL": "x"} would
// overwrite email though the body never named it; the catalog allows an
// unknown field to be ignored or rejected, not applied, so it is rejected.
func caseVariantKey(body []byte) string {
	var top map[string]json.RawMessage
	if json.NewDecoder(bytes.NewReader(body)).Decode(&top) != nil {
		return ""
	}
	for k, v := range top {
		if k != "billing" {
			if strings.EqualFold(k, "billing") {
				return k
			}
			continue
		}
		var b map[string]json.RawMessage
		if json.Unmarshal(v, &b) != nil {
			continue
		}
		for bk := range b {
			for _, known := range billingKeys {
				if bk != known && strings.EqualFold(bk, known) {
					return "billing." + bk
				}
			}
		}
	}
	return ""
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	s := &server{
		account:        exampleAccount(),
		ownerToken:     envOr("OWNER_TOKEN", "go-owner-token"),
		adminToken:     envOr("ADMIN_TOKEN", "go-admin-token"),
		agentToken:     envOr("AGENT_TOKEN", "go-agent-token"),
		supportCreated: os.Getenv("SUPPORT_CREATED") == "1",
		fault:          os.Getenv("FAULT"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v2/chat/account", s.handleAccount)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such resource")
	})

	srv := &http.Server{
		Addr:              net.JoinHostPort("127.0.0.1", envOr("PORT", "8080")),
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
	}()
	log.Printf("listening on %s (fault %q)", srv.Addr, s.fault)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
}
