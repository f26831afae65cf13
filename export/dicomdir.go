package export

import (
	"bytes"
	"fmt"
	"strings"

	"secondopinion/records"
	"secondopinion/records/dicom"
)

// dicomDir is the DICOMDIR of an enclosure's studies (dicom.WriteDICOMDIR):
// a patient record for each patient as the discs name them (one person
// may be spelled differently by two hospitals), their studies, series and
// files by the paths the enclosure gives them.
//
// The store keeps neither the disc's Patient ID nor the study's time and
// ID, so those records' fields are empty (they are type 2 in a DICOMDIR;
// an archive reads them from the files themselves).
func dicomDir(studies []*encStudy) ([]byte, error) {
	var patients []dicom.DirPatient
	index := map[string]int{}
	for _, es := range studies {
		st := es.study
		key := st.PatientName + "\x00" + dicomDA(st.PatientBirth)
		i, ok := index[key]
		if !ok {
			i = len(patients)
			index[key] = i
			patients = append(patients, dicom.DirPatient{Name: dicomPN(st.PatientName), Birth: dicomDA(st.PatientBirth)})
		}
		ds := dicom.DirStudy{UID: st.UID, Date: dicomDA(st.Date), Description: st.Description, Accession: st.Accession}
		order := append([]records.Series(nil), st.Series...)
		known := map[string]bool{}
		for _, se := range order {
			known[se.ID] = true
		}
		for _, inst := range es.insts { // files of series the study does not list
			if !known[inst.SeriesID] {
				known[inst.SeriesID] = true
				order = append(order, records.Series{ID: inst.SeriesID})
			}
		}
		for _, se := range order {
			files := es.files[se.ID]
			if len(files) == 0 {
				continue
			}
			uid := se.UID
			if uid == "" {
				return nil, fmt.Errorf("series %d of study %s has no Series Instance UID", se.Number, st.UID)
			}
			dse := dicom.DirSeries{UID: uid, Modality: se.Modality, Number: se.Number}
			for _, inst := range files {
				dse.Images = append(dse.Images, dicom.DirImage{FileID: es.paths[inst.FileID], SOPClassUID: inst.SOPClassUID,
					SOPInstanceUID: inst.SOPInstanceUID, TransferSyntax: inst.TransferSyntax, Number: inst.Number})
			}
			ds.Series = append(ds.Series, dse)
		}
		patients[i].Studies = append(patients[i].Studies, ds)
	}
	var buf bytes.Buffer
	if err := dicom.WriteDICOMDIR(&buf, patients); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// dicomDA is a date as DICOM writes it (YYYYMMDD), or "" when not whole.
func dicomDA(d records.Date) string {
	if d.Year == 0 || d.Month == 0 || d.Day == 0 {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day)
}

// dicomPN turns the readable "DOE, JANE" the store keeps back into a
// DICOM person name, DOE^JANE.
func dicomPN(name string) string {
	family, given, ok := strings.Cut(name, ", ")
	if !ok {
		return name
	}
	return family + "^" + given
}
