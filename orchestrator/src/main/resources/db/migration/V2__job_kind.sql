-- What a job does when Feast's job type cannot say it ('layout_migration'); empty for Feast's own.
alter table job add column kind text not null default '';
