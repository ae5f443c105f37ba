// A readable label for a data source attribute path, for the admin's drop-downs: `urn:…:enterprise:2.0:User:department`
// reads "Department (enterprise)", `emails[type eq "work"].value` "Emails (work) › Value",
// `employeeOrgData.costCenter` "Employee org data › Cost center".
import { parseAttributePath } from './attribute-values.js';

const words = (name: string): string => {
  const spaced = name.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
};

export function attributeLabel(path: string): string {
  const steps = parseAttributePath(path);
  if (steps === undefined) return path;
  const schema = /^urn:/i.test(path) ? steps.shift()?.name : undefined;
  const label = steps.map((step) => (step.type === undefined ? words(step.name) : `${words(step.name)} (${step.type})`)).join(' › ');
  const extension = schema === undefined ? undefined : /:extension:([^:]+)/i.exec(schema)?.[1];
  return extension === undefined ? label : `${label} (${extension})`;
}
