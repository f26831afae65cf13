package ui

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"secondopinion/records"
)

// TestPacketForEmailWithPassword: ticking "For e-mail" and typing a
// password makes a locked packet; the estimate says whether it fits an
// e-mail, and the result names the file with its size and reminds the
// user to give the password by telephone.
func TestPacketForEmailWithPassword(t *testing.T) {
	a := withPerson(t, "Ann Example")
	d := records.Document{PersonID: a.person.ID, Kind: records.KindResults, Date: records.MustDate("2024-01")}
	if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, t.TempDir(), "scan.png", 40)}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	a.show(secPacket)
	s := a.packet
	if !strings.Contains(s.estimate.Text, "fits in one e-mail") {
		t.Errorf("estimate = %q, want it to say it fits in one e-mail", s.estimate.Text)
	}
	test.Tap(s.forEmail)
	if !s.forEmail.Checked || !s.options().ForEmail {
		t.Fatalf("after tapping For e-mail: checked %v, options %+v", s.forEmail.Checked, s.options())
	}
	test.Type(s.password, "tiger lily 7")
	if !strings.Contains(s.passwordNote.Text, "telephone") {
		t.Errorf("password hint = %q, want the reminder to give it by telephone", s.passwordNote.Text)
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	s.exportTo(out)
	for _, want := range []string{"packet.pdf", " KB", "fits in one e-mail", "by telephone"} {
		if !strings.Contains(s.result.Text, want) {
			t.Errorf("result = %q, want it to say %q", s.result.Text, want)
		}
	}
	if strings.Contains(s.result.Text, "tiger") {
		t.Errorf("result shows the password: %q", s.result.Text)
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		if out, err := exec.Command("qpdf", "--show-encryption", "--password=tiger lily 7", out).CombinedOutput(); err != nil || !strings.Contains(string(out), "R = 6") {
			t.Errorf("qpdf --show-encryption: %v\n%s", err, out)
		}
		if _, err := exec.Command("qpdf", "--check", out).CombinedOutput(); err == nil {
			t.Errorf("qpdf --check opened the packet without the password")
		}
	}
}
