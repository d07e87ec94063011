import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ANALYST_PAGE_CSP, ANALYST_PAGE_HTML } from './analyst-page';

/** `GET /`: the analyst page (upload a CSV, see its predictions). */
@ApiExcludeController()
@Controller()
export class AnalystPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', ANALYST_PAGE_CSP)
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return ANALYST_PAGE_HTML;
  }
}
