import { Matches } from 'class-validator';
import { Describe, IsCountryCode, IsText, OptionalProperty } from './field-rules';

/** A delivery address as carriers need it. */
export class PostalAddress {
  @OptionalProperty()
  @Describe('Recipient name.')
  @IsText(200)
  name?: string;

  @IsText(200)
  line1!: string;

  @OptionalProperty()
  @IsText(200)
  line2?: string;

  @IsText(100)
  city!: string;

  // Carriers require it for the US, Canada, Australia and others.
  @OptionalProperty()
  @Describe('State, province or region (ISO 3166-2 subdivision code or name).')
  @IsText(100)
  region?: string;

  @IsText(20)
  postalCode!: string;

  @IsCountryCode()
  country!: string;

  // Many carriers refuse to book international parcels without one.
  @OptionalProperty()
  @Describe('Recipient phone number in E.164 form, e.g. +4930123456.')
  @Matches(/^\+[1-9]\d{1,14}$/)
  @IsText(16)
  phone?: string;
}
