/** The persons feature's entrance: the one person store other features write people through (identified by ID number, or not). */
export {
  insertUnidentified,
  membersElsewhere,
  memberBirthShown,
  NAME_NOT_ON_FILE,
  namesNotOnFile,
  personFromForm,
  readablePhone,
  recordPersonChanges,
  updateUnidentified,
  upsertIdentified,
  type Identified,
  type PersonChange,
  type Unidentified,
} from './store.js';
