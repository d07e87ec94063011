export { openDataFile, readCsv, type AcceptedRow, type CsvRow, type RejectedRow } from './csv-reader';
export * from './errors';
export { featureOrder, featureSetId } from './feature-set';
export { fieldNameFor } from './field-names';
export { assertHeader, checkHeader, type HeaderCheck } from './header';
export { describeSchemaChanges } from './schema-diff';
export { DEFAULT_MISSING, loadDatasetSchema, parseDatasetSchema } from './schema-parser';
export * from './schema-types';
export {
  checkCell,
  columnCheck,
  type ColumnCheck,
  type ValueCheck,
  type ValueProblem,
  readNumber,
  isMissing,
  isPositiveLabel,
  targetColumn,
  type CellCheck,
  type CellValue,
} from './values';
export {
  profileCsv,
  type ColumnProfile,
  type DataProfile,
  type ProfileOptions,
  type RejectedValue,
  type ValueCount,
} from './profile';
