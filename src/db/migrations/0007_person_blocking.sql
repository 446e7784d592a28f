-- Discovery finds candidates by birth date and by name (the phone has its index already).
CREATE INDEX person_birth_date_idx ON person (birth_date);
CREATE INDEX person_name_idx ON person (name);
