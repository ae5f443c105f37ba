// The departures record over a test's own members table, as services.ts wires it.
import { MemberDepartures } from '../../shared/directory/member-departures.js';
import { DepartureRepository } from '../../shared/storage/departure-repository.js';
import type { TableClients } from '../../shared/storage/table-clients.js';

export const departuresOver = (tables: Pick<TableClients, 'members'>): MemberDepartures => new MemberDepartures(new DepartureRepository(tables.members));
