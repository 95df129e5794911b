-- Assets in change order, for the search index to follow (as it follows people).
create index assets_updated on assets (updated_at, id);
