package assets

import _ "embed"

// QuestionLibrary is the built-in question library as plain UTF-8 text,
// grouped by the moment the questions are for. Package records/guide parses
// it; the format is described at the top of the file.
//
//go:embed questions.txt
var QuestionLibrary []byte

// ReferralSteps is what to do at each step of a second-opinion referral,
// and the reminders shown beside the steps, as plain UTF-8 text. Package
// records/guide parses it; the format is described at the top of the file.
//
//go:embed steps.txt
var ReferralSteps []byte
