-- Market-entity ledger: zones, entities, persons in roles, annual reports, their history,
-- and import jobs. Scoped rows carry scope_key (the station's key when assigned, else the county's).

CREATE TABLE zone (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('market','park','building','district')),
  name         text NOT NULL,
  address      text,
  county_code  text NOT NULL REFERENCES jurisdiction(code),
  station_code text REFERENCES jurisdiction(code),
  scope_key    text COLLATE "C" NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (county_code, name)
);
CREATE INDEX zone_scope_idx ON zone (scope_key);

CREATE TABLE entity (
  id                bigserial PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('enterprise','individual','cooperative')),
  uscc              text UNIQUE,
  reg_no            text UNIQUE,
  name              text NOT NULL,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active','deregistered','revoked','moved_out')),
  registered_on     date,
  address           text,
  county_code       text NOT NULL REFERENCES jurisdiction(code),
  station_code      text REFERENCES jurisdiction(code),
  scope_key         text COLLATE "C" NOT NULL,
  industry_section  text,
  industry_division text,
  size_class        text CHECK (size_class IN ('micro','small','medium','large')),
  employees         integer CHECK (employees >= 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CHECK (uscc IS NOT NULL OR reg_no IS NOT NULL)
);
CREATE INDEX entity_scope_idx ON entity (scope_key, id);
CREATE INDEX entity_registered_idx ON entity (registered_on);
CREATE INDEX entity_name_idx ON entity (name text_pattern_ops);

CREATE TABLE entity_zone (
  entity_id  bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  zone_id    bigint NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
  scope_key  text COLLATE "C" NOT NULL,
  PRIMARY KEY (entity_id, zone_id)
);
CREATE INDEX entity_zone_zone_idx ON entity_zone (zone_id);

-- One row per 身份证号 (blind index id_bi); number and phone SM4-encrypted.
CREATE TABLE person (
  id          bigserial PRIMARY KEY,
  id_bi       text UNIQUE,
  id_enc      text,
  name        text NOT NULL,
  birth_date  date,
  sex         text CHECK (sex IN ('male','female')),
  phone_enc   text,
  phone_bi    text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_phone_bi_idx ON person (phone_bi);

CREATE TABLE entity_person (
  id          bigserial PRIMARY KEY,
  entity_id   bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  person_id   bigint NOT NULL REFERENCES person(id),
  role        text NOT NULL CHECK (role IN ('legal_rep','investor','executive','employee','liaison')),
  scope_key   text COLLATE "C" NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (entity_id, role, person_id)
);
CREATE INDEX entity_person_person_idx ON entity_person (person_id);

CREATE TABLE annual_report (
  entity_id         bigint NOT NULL REFERENCES entity(id) ON DELETE CASCADE,
  year              smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  scope_key         text COLLATE "C" NOT NULL,
  filing_status     text NOT NULL DEFAULT 'filed' CHECK (filing_status IN ('filed','late','not_filed')),
  filed_on          date,
  employees         integer CHECK (employees >= 0),
  party_members     integer CHECK (party_members >= 0),
  party_org_form    smallint CHECK (party_org_form BETWEEN 0 AND 3),
  party_org_way     smallint CHECK (party_org_way BETWEEN 1 AND 5),
  party_org_set_on  date,
  rep_is_member     boolean,
  rep_is_secretary  boolean,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_id, year)
);
-- No scope_key index here on purpose: the planner cannot estimate a scope range set at run
-- time, takes it for selective, and would AND it into every per-entity lookup.

-- Dynamic management: every change to an entity, its people-in-roles and zones, with who and when.
CREATE TABLE ledger_history (
  id           bigserial PRIMARY KEY,
  object_type  text NOT NULL,
  object_id    bigint NOT NULL,
  entity_id    bigint,
  scope_key    text COLLATE "C" NOT NULL,
  at           timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id     bigint,
  op           char(1) NOT NULL,
  before       jsonb,
  after        jsonb
);
CREATE INDEX ledger_history_entity_idx ON ledger_history (entity_id, at);
CREATE INDEX ledger_history_object_idx ON ledger_history (object_type, object_id, at);

CREATE FUNCTION xgz_history() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b jsonb;
  a jsonb;
BEGIN
  IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'updated_at' - 'created_at'; END IF;
  IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'updated_at' - 'created_at'; END IF;
  IF b IS NOT DISTINCT FROM a THEN RETURN NULL; END IF;
  INSERT INTO ledger_history (object_type, object_id, entity_id, scope_key, actor_id, op, before, after)
  VALUES (
    TG_TABLE_NAME,
    COALESCE(a->>'id', b->>'id', a->>'zone_id', b->>'zone_id')::bigint,
    CASE WHEN TG_TABLE_NAME = 'entity' THEN COALESCE(a->>'id', b->>'id') ELSE COALESCE(a->>'entity_id', b->>'entity_id') END::bigint,
    COALESCE(a->>'scope_key', b->>'scope_key'),
    NULLIF(current_setting('xgz.user_id', true), '')::bigint,
    left(TG_OP, 1), b, a);
  RETURN NULL;
END $$;
CREATE TRIGGER entity_history AFTER INSERT OR UPDATE OR DELETE ON entity FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER entity_person_history AFTER INSERT OR UPDATE OR DELETE ON entity_person FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER entity_zone_history AFTER INSERT OR DELETE ON entity_zone FOR EACH ROW EXECUTE FUNCTION xgz_history();
CREATE TRIGGER zone_history AFTER INSERT OR UPDATE OR DELETE ON zone FOR EACH ROW EXECUTE FUNCTION xgz_history();

-- Persons are shared across jurisdictions (one row per ID number) but visible only through a
-- role in an entity in scope. Imports upsert them through this function, which sees all rows;
-- it changes a person only where the incoming values differ.
CREATE FUNCTION xgz_person_upsert(p_bi text[], p_id_enc text[], p_name text[], p_birth date[], p_sex text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE (bi text, person_id bigint) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH incoming AS (
    SELECT DISTINCT ON (t.bi) t.* FROM unnest(p_bi, p_id_enc, p_name, p_birth, p_sex, p_phone_enc, p_phone_bi)
      AS t(bi, id_enc, name, birth, sex, phone_enc, phone_bi) ORDER BY t.bi
  ), up AS (
    INSERT INTO person AS p (id_bi, id_enc, name, birth_date, sex, phone_enc, phone_bi)
    SELECT bi, id_enc, name, birth, sex, phone_enc, phone_bi FROM incoming
    ON CONFLICT (id_bi) DO UPDATE SET
      name = EXCLUDED.name,
      phone_enc = COALESCE(EXCLUDED.phone_enc, p.phone_enc),
      phone_bi = COALESCE(EXCLUDED.phone_bi, p.phone_bi),
      updated_at = now()
    WHERE p.name IS DISTINCT FROM EXCLUDED.name OR (EXCLUDED.phone_bi IS NOT NULL AND p.phone_bi IS DISTINCT FROM EXCLUDED.phone_bi)
    RETURNING p.id_bi, p.id
  )
  SELECT id_bi, id FROM up
  UNION ALL
  SELECT p.id_bi, p.id FROM person p JOIN incoming i ON i.bi = p.id_bi WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.id_bi = p.id_bi)
$$;
REVOKE ALL ON FUNCTION xgz_person_upsert FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_upsert TO xgz_app;

-- Import jobs: progress a page reload can find again, and the rejected rows' report.
CREATE TABLE import_job (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('registry','annual_report')),
  file_name    text NOT NULL,
  file_path    text NOT NULL,
  file_bytes   bigint NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed','cancelled')),
  rows_read    integer NOT NULL DEFAULT 0,
  rows_accepted integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  rows_changed integer NOT NULL DEFAULT 0,
  bytes_read   bigint NOT NULL DEFAULT 0,
  cancel_requested boolean NOT NULL DEFAULT false,
  error        text,
  scope_key    text COLLATE "C" NOT NULL,
  created_by   bigint REFERENCES app_user(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz
);
CREATE INDEX import_job_scope_idx ON import_job (scope_key, id DESC);

CREATE TABLE import_rejection (
  job_id   bigint NOT NULL REFERENCES import_job(id) ON DELETE CASCADE,
  row_no   integer NOT NULL,
  col      text,
  value    text,
  reason   text NOT NULL,
  -- The rejected row as read (header → cell), SM4-encrypted: it may hold ID numbers and phones.
  raw_enc  text
);
CREATE INDEX import_rejection_job_idx ON import_rejection (job_id, row_no);

-- Keys seen by a running import (64-bit hashes and row numbers, nothing readable), so a key
-- repeated later in the same file is reported, not applied twice; memory stays flat however
-- long the file. Rows go when the job ends. No row-level policy: a per-row policy check would
-- cost more than the insert, and the rows say nothing about any entity.
CREATE UNLOGGED TABLE import_key (
  job_id  bigint NOT NULL,
  h       bigint NOT NULL,
  row_no  integer NOT NULL,
  PRIMARY KEY (job_id, h)
);

-- People named in a registry row without a usable ID number: created one by one (they cannot be
-- matched on the number); the caller links them at once, which makes them visible.
CREATE FUNCTION xgz_person_insert_unidentified(p_name text[], p_phone_enc text[], p_phone_bi text[])
RETURNS TABLE (ord bigint, person_id bigint) LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH ins AS (
    INSERT INTO person (name, phone_enc, phone_bi)
    SELECT name, phone_enc, phone_bi FROM unnest(p_name, p_phone_enc, p_phone_bi) WITH ORDINALITY AS t(name, phone_enc, phone_bi, ord) ORDER BY ord
    RETURNING id
  )
  SELECT row_number() OVER (ORDER BY id), id FROM ins
$$;
REVOKE ALL ON FUNCTION xgz_person_insert_unidentified FROM PUBLIC;
GRANT EXECUTE ON FUNCTION xgz_person_insert_unidentified TO xgz_app;

GRANT SELECT, INSERT, DELETE ON import_key TO xgz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON zone, entity, entity_zone, entity_person, annual_report TO xgz_app;
GRANT SELECT ON person, ledger_history TO xgz_app;
GRANT INSERT ON ledger_history TO xgz_app;
GRANT UPDATE (name, birth_date, sex, phone_enc, phone_bi, updated_at) ON person TO xgz_app;
GRANT SELECT, INSERT, UPDATE ON import_job TO xgz_app;
GRANT SELECT, INSERT, DELETE ON import_rejection TO xgz_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO xgz_app;

ALTER TABLE zone ENABLE ROW LEVEL SECURITY;
CREATE POLICY zone_scope ON zone USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE entity ENABLE ROW LEVEL SECURITY;
CREATE POLICY entity_scope ON entity USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE entity_zone ENABLE ROW LEVEL SECURITY;
CREATE POLICY entity_zone_scope ON entity_zone USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE entity_person ENABLE ROW LEVEL SECURITY;
CREATE POLICY entity_person_scope ON entity_person USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE annual_report ENABLE ROW LEVEL SECURITY;
CREATE POLICY annual_report_scope ON annual_report USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE person ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_via_role ON person FOR SELECT USING (EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = person.id AND xgz_in_scope(ep.scope_key)));
CREATE POLICY person_update_via_role ON person FOR UPDATE USING (EXISTS (SELECT 1 FROM entity_person ep WHERE ep.person_id = person.id AND xgz_in_scope(ep.scope_key)));
ALTER TABLE ledger_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_history_read ON ledger_history FOR SELECT USING (xgz_in_scope(scope_key));
CREATE POLICY ledger_history_write ON ledger_history FOR INSERT WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE import_job ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_job_scope ON import_job USING (xgz_in_scope(scope_key)) WITH CHECK (xgz_in_scope(scope_key));
ALTER TABLE import_rejection ENABLE ROW LEVEL SECURITY;
CREATE POLICY import_rejection_scope ON import_rejection USING (EXISTS (SELECT 1 FROM import_job j WHERE j.id = job_id AND xgz_in_scope(j.scope_key)));

INSERT INTO dictionary (kind, code, label, sort_order) VALUES
  ('size_class','micro','微型',1), ('size_class','small','小型',2), ('size_class','medium','中型',3), ('size_class','large','大型',4),
  ('filing_status','filed','已报送',1), ('filing_status','late','逾期补报',2), ('filing_status','not_filed','未报送',3),
  ('party_org_form','0','未建立',0), ('party_org_form','1','党支部',1), ('party_org_form','2','党总支',2), ('party_org_form','3','党委',3),
  ('party_org_way','1','单独组建',1), ('party_org_way','2','联合组建',2), ('party_org_way','3','加入所在社区党组织',3), ('party_org_way','4','加入个私协会党组织',4), ('party_org_way','5','加入上级公司党组织',5);
