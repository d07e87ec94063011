import type { ServiceSpec } from '@netsentry/contracts';

export const RESOURCES: Readonly<Record<string, { cpu: string; memory: string; memoryLimit: string }>>;
export const PRESTOP_SECONDS: number;
export const DRAIN_SECONDS: number;
export const TERMINATION_GRACE_SECONDS: number;
export function serviceManifests(spec: ServiceSpec): string;
export function prometheusRule(rulesDir?: string): string;
export function generatedFiles(specs?: readonly ServiceSpec[]): Promise<Record<string, string>>;
