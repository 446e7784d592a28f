-- Receipts given to the public were the row's serial (DY00000001, FK00000001): they counted the
-- reports filed and could be guessed one from another (round-7 probe). Each report now keeps the
-- random receipt it was given (domain/cases/receipt.ts); those given out before keep their number.
ALTER TABLE self_report ADD COLUMN receipt text;
UPDATE self_report SET receipt = 'DY' || lpad(id::text, 8, '0');
ALTER TABLE self_report ALTER COLUMN receipt SET NOT NULL;
CREATE UNIQUE INDEX self_report_receipt_uq ON self_report (receipt);

ALTER TABLE plaque_feedback ADD COLUMN receipt text;
UPDATE plaque_feedback SET receipt = 'FK' || lpad(id::text, 8, '0');
ALTER TABLE plaque_feedback ALTER COLUMN receipt SET NOT NULL;
CREATE UNIQUE INDEX plaque_feedback_receipt_uq ON plaque_feedback (receipt);
