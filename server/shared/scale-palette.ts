/**
 * One colour per canonical scale, tight to wide: viridis sampled from 0.22 to
 * 1.0 (its darkest purples are dropped so every bar reads on a dark page).
 * Sequential and colour-blind safe, so neighbouring scales look neighbourly.
 * The dashboard and the pages the server renders (the film report) share it.
 */
import type { CanonicalScale } from './scale.js';

export const SCALE_COLOURS: Readonly<Record<CanonicalScale, string>> = {
  ECU: '#3E4A89',
  CU: '#31688E',
  MCU: '#26828E',
  MS: '#1F9E89',
  MWS: '#35B779',
  FS: '#6DCD59',
  WS: '#B4DE2C',
  EWS: '#FDE725',
};
