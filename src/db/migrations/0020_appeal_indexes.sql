-- Cases arrive from every county at once, so a county's cases lie about two to a heap page: its
-- figures read 33,000 pages for 62,000 cases at 1,000,000 (190 ms). This index holds what the
-- figures read (and the columns the read policy tests), so they read the index alone (~45 ms).
CREATE INDEX appeal_case_figures_idx ON appeal_case (scope_key)
  INCLUDE (raised_key, door, category, state, due_at, escalation_level, satisfaction, route_ms, accept_ms, resolve_ms, feedback_ms);
-- The "overdue only" work list: the open cases of a unit by due date, not every open case of the country.
CREATE INDEX appeal_case_open_scope_due_idx ON appeal_case (scope_key, due_at) WHERE state IN ('intake','routed','accepted','handling');
