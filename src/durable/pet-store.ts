/**
 * The example app's storage: one SQLite-backed Durable Object holding every pet, so data
 * survives restarts and every isolate sees the same pets. Called over RPC from the handlers.
 */
import { DurableObject } from "cloudflare:workers";

export type Species = "cat" | "dog" | "bird" | "fish" | "other";

export interface NewPet {
  readonly name: string;
  readonly species: Species;
  readonly birthDate?: string;
  readonly tags?: readonly string[];
  readonly owner?: { readonly email?: string } | null;
}

export interface Pet extends NewPet {
  readonly id: number;
  readonly createdAt: string;
}

export interface PetQuery {
  readonly limit: number;
  readonly species?: readonly string[];
  readonly tags?: readonly string[];
  readonly name?: string;
  readonly minAge?: number;
  readonly ids?: readonly number[];
  readonly names?: readonly string[];
  readonly sort?: "name" | "newest";
}

interface PetRow extends Record<string, SqlStorageValue> {
  id: number;
  name: string;
  species: string;
  birth_date: string | null;
  tags: string;
  owner: string | null;
  created_at: string;
}

function toPet(row: PetRow): Pet {
  const pet: { -readonly [K in keyof Pet]: Pet[K] } = {
    id: row.id,
    name: row.name,
    species: row.species as Species,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
  };
  if (row.birth_date !== null) pet.birthDate = row.birth_date;
  if (row.owner !== null) pet.owner = JSON.parse(row.owner) as Pet["owner"];
  return pet;
}

function ageInYears(birthDate: string | undefined, now: Date): number | undefined {
  if (birthDate === undefined) return undefined;
  const born = new Date(birthDate);
  return (now.getTime() - born.getTime()) / (365.25 * 24 * 3600 * 1000);
}

export class PetStore extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // Schema set-up is synchronous SQL, so it is done before any call can be delivered.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS pets (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      species TEXT NOT NULL,
      birth_date TEXT,
      tags TEXT NOT NULL DEFAULT '[]',
      owner TEXT,
      created_at TEXT NOT NULL
    )`);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pets").one().n;
  }

  list(query: PetQuery): { pets: Pet[]; total: number } {
    const order = query.sort === "name" ? "name ASC, id ASC" : "id DESC";
    // Filters on JSON columns and ages are applied in code: the table is small and this keeps the SQL obvious.
    const rows = this.sql.exec<PetRow>(`SELECT * FROM pets ORDER BY ${order}`).toArray();
    const now = new Date();
    const matching = rows.map(toPet).filter((pet) => {
      if (query.species !== undefined && query.species.length > 0 && !query.species.includes(pet.species)) return false;
      if (query.tags !== undefined && !query.tags.every((t) => pet.tags?.includes(t))) return false;
      if (query.name !== undefined && !pet.name.toLowerCase().includes(query.name.toLowerCase())) return false;
      if (query.ids !== undefined && !query.ids.includes(pet.id)) return false;
      if (query.names !== undefined && !query.names.includes(pet.name)) return false;
      if (query.minAge !== undefined) {
        const age = ageInYears(pet.birthDate, now);
        if (age === undefined || age < query.minAge) return false;
      }
      return true;
    });
    return { pets: matching.slice(0, query.limit), total: matching.length };
  }

  get(id: number): Pet | null {
    const row = this.sql.exec<PetRow>("SELECT * FROM pets WHERE id = ?", id).toArray()[0];
    return row === undefined ? null : toPet(row);
  }

  create(pet: NewPet): Pet {
    const row = this.sql
      .exec<PetRow>(
        "INSERT INTO pets (name, species, birth_date, tags, owner, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        pet.name,
        pet.species,
        pet.birthDate ?? null,
        JSON.stringify(pet.tags ?? []),
        pet.owner === undefined ? null : JSON.stringify(pet.owner),
        new Date().toISOString(),
      )
      .one();
    return toPet(row);
  }

  update(id: number, pet: NewPet): Pet | null {
    const rows = this.sql
      .exec<PetRow>(
        "UPDATE pets SET name = ?, species = ?, birth_date = ?, tags = ?, owner = ? WHERE id = ? RETURNING *",
        pet.name,
        pet.species,
        pet.birthDate ?? null,
        JSON.stringify(pet.tags ?? []),
        pet.owner === undefined ? null : JSON.stringify(pet.owner),
        id,
      )
      .toArray();
    return rows[0] === undefined ? null : toPet(rows[0]);
  }

  delete(id: number): boolean {
    return this.sql.exec("DELETE FROM pets WHERE id = ? RETURNING id", id).toArray().length > 0;
  }

  stats(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.sql.exec<{ species: string; n: number }>("SELECT species, COUNT(*) AS n FROM pets GROUP BY species")) {
      counts[row.species] = row.n;
    }
    return counts;
  }
}
